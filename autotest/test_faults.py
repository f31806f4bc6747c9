"""Faults from outside: a full disk, and signals, on real gdal_translate
processes writing to real file systems (doc/xavideo.md, "Failures").

Full disk: a tmpfs of the size wanted, mounted in a private mount namespace
(`unshare`), so that nothing is mounted for the rest of the machine and the
file system goes away with the process. As root that needs nothing more;
as another user, unprivileged user namespaces (allowed on Debian 12).
Where neither works (a container without the privilege), those tests are
skipped and say why. The file-size-limit tests (RLIMIT_FSIZE: writes fail
with EFBIG through the same paths) need no privilege and always run.

Every failing copy must exit non-zero, say what happened and which file it
was writing, and leave nothing: no .xavpart, no half dataset, no empty
tile folder. A copy stopped by SIGINT, SIGTERM or SIGHUP must leave nothing
and the process must still die of the signal."""

import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from xavtest import L7, MAXT, UWND, gdal_env, gdal_tool, list_dir, open_ds, read_all

from osgeo import gdal  # noqa: E402 (after xavtest, which sets GDAL_DRIVER_PATH)

PAGE = os.sysconf("SC_PAGE_SIZE")
SIDECAR = ".mkv.json"

# name: (source, creation options); lossy and lossless, one tile and many
CASES = {
    "l7-lossy": (L7, []),
    "l7-lossless-tiled": (L7, ["LOSSLESS=YES", "TILE_SIZE=128"]),
    "uwnd-lossless": (UWND, ["LOSSLESS=YES"]),
    "maxt-lossy-tiled": (MAXT, []),  # 1073 x 689: tiled by default
}


def translate_args(src, options, dst):
    args = [gdal_tool("gdal_translate"), "-q", "-of", "XAVIDEO"]
    for o in options:
        args += ["-co", o]
    return args + [str(src), str(dst)]


def listing(root):
    """Every file and folder under root, relative, but the filler."""
    found = []
    for d, dirs, files in os.walk(root):
        found += [os.path.relpath(os.path.join(d, n), root) for n in dirs + files]
    return sorted(f for f in found if f != ".filler")


def assert_clean_failure(rc, stderr, left, disk, reason, what):
    """Non-zero exit, an error naming a file of the copy in disk with the
    reason, nothing left."""
    assert rc > 0, f"{what}: exit {rc}, stderr {stderr!r}"
    errors = [l for l in stderr.splitlines() if l.startswith("ERROR")]
    assert errors, f"{what}: exit {rc} without a message"
    named = re.search(r"cannot [a-z ]+ (%s/\S+?):" % re.escape(str(disk)), errors[0])
    assert named and os.path.relpath(named.group(1), disk).startswith("out.mkv"), (
        f"{what}: the first error names no file of the copy: {errors}")
    assert reason in errors[0], f"{what}: the first error does not say {reason!r}: {errors}"
    assert left == [], f"{what}: left {left}"


# --------------------------------------------------------------------------
# A full disk: a small tmpfs in a private mount namespace
# --------------------------------------------------------------------------

# Mounts a tmpfs of $SIZE bytes ($INODES files at most, if set) on $DISK,
# fills one page of it, runs the copy given as arguments, prints its exit
# status and what is left, and exits: the mount goes with the namespace.
DISK_SCRIPT = r"""
opts="size=$SIZE"
[ -n "${INODES:-}" ] && opts="$opts,nr_inodes=$INODES"
mount -t tmpfs -o "$opts" tmpfs "$DISK" || exit 97
head -c "$PAGE" /dev/zero > "$DISK/.filler" || exit 98
"$@" 2> "$ERR"
echo "rc=$?"
cd "$DISK" && find . -mindepth 1 ! -name .filler
"""


@pytest.fixture(scope="module")
def namespace(tmp_path_factory):
    """The unshare command that gives this process a private mount namespace
    in which it may mount a tmpfs; skips, saying why, if there is none."""
    where = tmp_path_factory.mktemp("probe")
    tries = [["unshare", "--mount"],
             ["unshare", "--user", "--map-root-user", "--mount"]]
    said = []
    for prefix in tries:
        try:
            p = subprocess.run(prefix + ["sh", "-c", 'mount -t tmpfs -o size=64k tmpfs "$1"',
                                         "sh", str(where)], capture_output=True, text=True,
                               timeout=30)
        except FileNotFoundError as e:
            pytest.skip(f"full-disk tests skipped: no unshare ({e})")
        if p.returncode == 0:
            return prefix
        said.append(f"`{' '.join(prefix)}`: {p.stderr.strip()}")
    pytest.skip("full-disk tests skipped: this machine lets this user mount no tmpfs, "
                "neither as root nor in a user namespace (a container without "
                "CAP_SYS_ADMIN, or unprivileged user namespaces disabled): "
                + "; ".join(said))


def copy_onto_disk(namespace, tmp_path, case, free_pages, inodes=None):
    """The copy of case onto a tmpfs with free_pages pages free (and inodes
    files at most): (exit status, stderr, what was left, the disk)."""
    src, options = CASES[case]
    disk, err = tmp_path / "disk", tmp_path / "stderr"
    disk.mkdir()
    env = dict(gdal_env(), DISK=str(disk), ERR=str(err), PAGE=str(PAGE),
               SIZE=str((free_pages + 1) * PAGE), INODES=str(inodes or ""))
    p = subprocess.run(namespace + ["sh", "-c", DISK_SCRIPT, "sh"]
                       + translate_args(src, options, disk / "out.mkv"),
                       env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"mounting the small disk failed ({p.returncode}): {p.stderr}"
    lines = p.stdout.splitlines()
    rc = int(lines[0][len("rc="):])
    left = sorted(os.path.normpath(l) for l in lines[1:])
    return rc, err.read_text(), left, disk


@pytest.fixture(scope="module")
def sizes(tmp_path_factory, data_dir):
    """Per case, pages taken by its videos and by its sidecar on a disk with
    room (the same bytes: encoding is deterministic)."""
    out = {}
    for case, (src, options) in CASES.items():
        d = tmp_path_factory.mktemp(case)
        p = subprocess.run(translate_args(src, options, d / "out.mkv"), env=gdal_env(),
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr
        pages = {"videos": 0, "sidecar": 0}
        for f in listing(d):
            if os.path.isfile(d / f):
                n = math.ceil(os.path.getsize(d / f) / PAGE)
                pages["sidecar" if f.endswith(SIDECAR) else "videos"] += n
        out[case] = pages
    return out


# where the disk fills: before anything is written, in the middle of the
# videos, at their last page (the Matroska index), and when only the sidecar
# is left to write
LEVELS = {
    "empty": lambda s: 0,
    "half": lambda s: s["videos"] // 2,
    "last-page": lambda s: s["videos"] - 1,
    "sidecar": lambda s: s["videos"],
}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES)
def test_full_disk(namespace, sizes, tmp_path, case, level):
    rc, stderr, left, disk = copy_onto_disk(namespace, tmp_path, case,
                                            LEVELS[level](sizes[case]))
    assert_clean_failure(rc, stderr, left, disk, "the disk is full", f"{case} at {level}")
    if level == "sidecar" and "tiled" not in case:
        assert "the sidecar" in stderr and SIDECAR in stderr, stderr


@pytest.mark.parametrize("inodes", [2, 3], ids=["no-folder", "no-tile-file"])
def test_full_disk_no_file_left_to_create(namespace, tmp_path, data_dir, inodes):
    """Out of inodes (ENOSPC too): the tiles' folder (2: the root and the
    filler take them all) or a tile's file (3) cannot be created."""
    rc, stderr, left, disk = copy_onto_disk(namespace, tmp_path, "l7-lossless-tiled",
                                            1000, inodes)
    assert_clean_failure(rc, stderr, left, disk, "the disk is full", f"{inodes} inodes")
    assert "cannot create" in stderr, stderr


# ext4 on a loop device over a tmpfs left 64 KiB: the disk takes every write
# into the system's cache, and fails only as the cache is written back
THIN_SCRIPT = r"""
mount -t tmpfs -o size=8m tmpfs "$BACK" || exit 97
truncate -s 64M "$BACK/disk.img" && mkfs.ext4 -q -m 0 -F "$BACK/disk.img" &&
    mount -o loop "$BACK/disk.img" "$DISK" || exit 96
head -c 8M /dev/zero > "$BACK/fill" 2> /dev/null; truncate -s -64K "$BACK/fill"
"$@" 2> "$ERR"
echo "rc=$?"
"""


def test_disk_that_fills_on_write_back(namespace, tmp_path, data_dir):
    """Thin provisioning: the copy must fail (it used to succeed, and the
    dataset was gone after a remount)."""
    if namespace != ["unshare", "--mount"] or not os.path.exists("/dev/loop-control"):
        pytest.skip("needs root and loop devices (a disk image mounted with -o loop)")
    back, disk, err = tmp_path / "back", tmp_path / "disk", tmp_path / "stderr"
    back.mkdir()
    disk.mkdir()
    env = dict(gdal_env(), BACK=str(back), DISK=str(disk), ERR=str(err))
    p = subprocess.run(namespace + ["sh", "-c", THIN_SCRIPT, "sh"]
                       + translate_args(L7, ["LOSSLESS=YES"], disk / "out.mkv"),
                       env=env, capture_output=True, text=True, timeout=600)
    if p.returncode == 96:
        pytest.skip(f"cannot mount a disk image here: {p.stderr.strip()}")
    assert p.returncode == 0, p.stderr
    rc, stderr = int(p.stdout.split("rc=")[1]), err.read_text()
    assert rc == 1, f"exit {rc}: {stderr!r}"
    assert re.search(r"cannot write %s/out\.mkv\S*: (the disk is full|input/output error: "
                     r"the device could not store)" % re.escape(str(disk)), stderr), stderr


# --------------------------------------------------------------------------
# A file size limit: no privilege needed
# --------------------------------------------------------------------------


@pytest.mark.parametrize("limit_kb", [0, 64, 200])  # the copy: 271 KB
def test_file_size_limit(tmp_path, data_dir, limit_kb):
    """ulimit -f: writes fail with EFBIG (SIGXFSZ ignored, as the shell
    does not, so that the process lives to clean up)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_kb * 1024, limit_kb * 1024))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    p = subprocess.run(translate_args(L7, [], tmp_path / "out.mkv"), env=gdal_env(),
                       capture_output=True, text=True, timeout=600, preexec_fn=limit)
    assert_clean_failure(p.returncode, p.stderr, listing(tmp_path), tmp_path,
                         "file too large", f"ulimit -f {limit_kb}")


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------

# a copy still encoding long after its first file, for the signal tests:
# the NDFD forecast, lossy at x265's slowest preset, one thread (7 s here;
# lossless, since value tables, it took under a second and could end
# inside the 0.2 s before the signal)
LONG = (MAXT, ["PRESET=veryslow", "NUM_THREADS=1"])


def wait_for_writing(p, out_dir, what):
    """Returns once the copy has created its first temporary file."""
    deadline = time.time() + 120
    while not any(f.endswith(".xavpart") for f in listing(out_dir)):
        assert p.poll() is None, f"{what} ended before writing: {p.communicate()}"
        assert time.time() < deadline, f"{what} wrote nothing in 120 s"
        time.sleep(0.005)
    time.sleep(0.2)  # into the encoding
    assert p.poll() is None, f"{what} finished before the signal: the copy is too short"


def default_signals():
    # a shell that starts jobs in the background makes them ignore SIGINT,
    # and nohup makes them ignore SIGHUP: the copy keeps an ignored signal
    # ignored (test_ignored_sighup_kept), so give it the defaults
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def ignore_sighup():
    default_signals()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda s: s.name)
def test_signal_leaves_nothing(tmp_path, data_dir, sig):
    p = subprocess.Popen(translate_args(*LONG, tmp_path / "out.mkv"), env=gdal_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=default_signals)
    wait_for_writing(p, tmp_path, "gdal_translate")
    p.send_signal(sig)
    _, stderr = p.communicate(timeout=120)
    assert p.returncode == -sig, (
        f"gdal_translate did not die of {sig.name}: exit {p.returncode}, {stderr!r}")
    assert listing(tmp_path) == [], f"{sig.name} left {listing(tmp_path)}"
    assert f"interrupted by {sig.name}" in stderr, stderr



def test_ignored_sighup_kept(tmp_path, data_dir):
    """Under nohup a copy ignores SIGHUP: it must not install a handler that
    would stop it, and it ends with the whole dataset, every value within
    the bound its band states, nodata where the source has it."""
    out = tmp_path / "out.mkv"
    p = subprocess.Popen(translate_args(*LONG, out), env=gdal_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=ignore_sighup)
    wait_for_writing(p, tmp_path, "gdal_translate")
    p.send_signal(signal.SIGHUP)
    _, stderr = p.communicate(timeout=600)
    assert p.returncode == 0, f"exit {p.returncode}: {stderr!r}"
    assert not any(f.endswith(".xavpart") for f in listing(tmp_path)), listing(tmp_path)
    src, ds = gdal.Open(str(LONG[0])), open_ds(out)
    assert ds is not None, gdal.GetLastErrorMsg()
    assert ds.RasterCount == src.RasterCount
    for b in range(1, src.RasterCount + 1):
        a = src.GetRasterBand(b).ReadAsArray()
        got = ds.GetRasterBand(b).ReadAsArray()
        valid = a != src.GetRasterBand(b).GetNoDataValue()
        assert np.array_equal(got[~valid], a[~valid]), f"band {b}: nodata moved"
        bound = float(ds.GetRasterBand(b).GetMetadataItem("XAVIDEO_MAX_ERROR_BOUND", "IMAGE_STRUCTURE"))
        assert np.abs(got[valid] - a[valid]).max() <= bound, f"band {b}"


PY_COPY = """
import json, signal
from osgeo import gdal
handled = []
if {handler!r}:
    signal.signal(signal.SIGTERM, lambda s, f: handled.append(s))
src = gdal.Open({src!r})
out = gdal.GetDriverByName("XAVIDEO").CreateCopy({dst!r}, src, 0, {options!r})
created = out is not None
out = None
print("RESULT" + json.dumps({{"created": created, "handled": handled}}))
"""


def python_copy(tmp_path, handler, copy):
    code = PY_COPY.format(handler=handler, src=str(copy[0]), options=copy[1],
                          dst=str(tmp_path / "out.mkv"))
    p = subprocess.Popen([sys.executable, "-c", code], env=gdal_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_writing(p, tmp_path, "the Python copy")
    p.send_signal(signal.SIGTERM)
    stdout, stderr = p.communicate(timeout=120)
    return p.returncode, stdout, stderr


def test_sigterm_in_python_leaves_nothing(tmp_path, data_dir):
    """Python leaves SIGTERM at its default: the library's handler stops the
    copy there too, and the interpreter still dies of the signal."""
    rc, stdout, stderr = python_copy(tmp_path, handler=False, copy=LONG)
    assert rc == -signal.SIGTERM, f"exit {rc}: {stdout} {stderr}"
    assert listing(tmp_path) == [], listing(tmp_path)


def test_application_handler_is_kept(tmp_path, data_dir):
    """An application's own handler is never replaced: it gets the signal
    and the copy goes on to the end."""
    rc, stdout, stderr = python_copy(tmp_path, handler=True, copy=LONG)
    assert rc == 0, f"exit {rc}: {stderr}"
    result = json.loads([l for l in stdout.splitlines() if l.startswith("RESULT")][0][6:])
    assert result == {"created": True, "handled": [signal.SIGTERM]}, result
    assert open_ds(tmp_path / "out.mkv") is not None
    assert not [f for f in listing(tmp_path) if f.endswith(".xavpart")], listing(tmp_path)


def test_next_copy_removes_what_sigkill_left(tmp_path, data_dir):
    """SIGKILL cannot be caught: its .xavpart files stay until the next copy
    to the same name, which removes them, whatever its tiles."""
    out = tmp_path / "out.mkv"
    p = subprocess.Popen(translate_args(*LONG, out), env=gdal_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_writing(p, tmp_path, "gdal_translate")
    p.kill()
    p.communicate(timeout=120)
    assert [f for f in listing(tmp_path) if f.endswith(".xavpart")], listing(tmp_path)
    p = subprocess.run(translate_args(L7, [], out), env=gdal_env(), capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert list_dir(tmp_path) == ["out.mkv", "out.mkv.json"], listing(tmp_path)
