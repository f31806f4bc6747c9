"""The part of ffmpeg-python's API that xarrayvideo calls, for machines
without ffmpeg-python (Debian does not package it).

xarrayvideo uses ffmpeg-python only to build ffmpeg/ffprobe command lines
and start them; this module builds the same command lines the same way
(ffmpeg-python 0.2: input options, `-i`, output options sorted by name,
the file name, then `-y`), so the runner measures xarrayvideo's own
encodes. Used by peer_xarrayvideo.py only when `import ffmpeg` finds
nothing else.
"""
import json
import subprocess

__all__ = ["input", "output", "probe", "Error"]


class Error(Exception):
    def __init__(self, cmd, stdout, stderr):
        super().__init__("%s error (see stderr output for detail)" % cmd)
        self.stdout, self.stderr = stdout, stderr


def _kwargs_to_args(kwargs):
    args = []
    for k in sorted(kwargs):
        v = kwargs[k]
        values = v if isinstance(v, (list, tuple)) else [v]
        for value in values:
            args.append("-%s" % k)
            if value is not None:
                args.append("%s" % value)
    return args


class _Input:
    def __init__(self, filename, kwargs):
        self.filename, self.kwargs = filename, dict(kwargs)

    def args(self):
        kw = dict(self.kwargs)
        out = []
        if "format" in kw:
            out += ["-f", kw.pop("format")]
        if "video_size" in kw:
            w, h = kw.pop("video_size")
            out += ["-video_size", "%dx%d" % (w, h)]
        return out + _kwargs_to_args(kw) + ["-i", self.filename]

    def output(self, filename, **kwargs):
        return _Output(self, filename, kwargs)


class _Output:
    def __init__(self, inp, filename, kwargs):
        self.inp, self.filename, self.kwargs = inp, filename, dict(kwargs)
        self.globals = []

    def overwrite_output(self):
        self.globals.append("-y")
        return self

    def compile(self, cmd="ffmpeg", overwrite_output=False):
        kw = dict(self.kwargs)
        out = []
        if "format" in kw:
            out += ["-f", kw.pop("format")]
        if "video_bitrate" in kw:
            out += ["-b:v", str(kw.pop("video_bitrate"))]
        if "audio_bitrate" in kw:
            out += ["-b:a", str(kw.pop("audio_bitrate"))]
        args = [cmd] + self.inp.args() + out + _kwargs_to_args(kw) + [self.filename]
        args += self.globals
        if overwrite_output:
            args.append("-y")
        return args

    def run_async(self, cmd="ffmpeg", pipe_stdin=False, pipe_stdout=False,
                  pipe_stderr=False, quiet=False, overwrite_output=False, cwd=None):
        return subprocess.Popen(
            self.compile(cmd, overwrite_output),
            stdin=subprocess.PIPE if pipe_stdin else None,
            stdout=subprocess.PIPE if pipe_stdout or quiet else None,
            stderr=subprocess.PIPE if pipe_stderr or quiet else None, cwd=cwd)


def input(filename, **kwargs):  # noqa: A001 (ffmpeg-python's name)
    return _Input(filename, kwargs)


def output(stream, filename, **kwargs):
    return _Output(stream, filename, kwargs)


def probe(filename, cmd="ffprobe", **kwargs):
    args = [cmd, "-show_format", "-show_streams", "-of", "json"]
    args += _kwargs_to_args(kwargs) + [str(filename)]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise Error("ffprobe", p.stdout, p.stderr)
    return json.loads(p.stdout.decode("utf-8"))
