"""Threads through GDAL (issue 7): 8 Python threads, each with its own
gdal.Open of one of two real datasets (an untiled lossless cube and a tiled
lossy one, 4 handles per file), read every band in orders of their own at
the same time (GDAL releases the GIL during reads) and must get the bytes of
a serial read; the serial read of the lossless cube is the source's. The
contract: one dataset handle per thread, as GDAL's own."""

import random
import threading

import numpy as np
import pytest
from osgeo import gdal

from xavtest import MAXT, UWND, open_ds, open_source, read_all, xav_create_ok

THREADS = 8


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, data_dir):
    d = tmp_path_factory.mktemp("threads")
    uwnd, maxt = d / "uwnd.mkv", d / "maxt.mkv"
    xav_create_ok(UWND, uwnd, ["LOSSLESS=YES"])
    xav_create_ok(MAXT, maxt, ["TILE_SIZE=256", "PRESET=ultrafast"])
    return [uwnd, maxt]


def test_serial_read_of_lossless_cube_is_source(datasets):
    got = read_all(open_ds(datasets[0]))
    want = read_all(open_source(UWND))
    assert got.tobytes() == want.tobytes()


def test_eight_threads_read_the_serial_bytes(datasets):
    serial = [read_all(open_ds(p)) for p in datasets]
    assert open_ds(datasets[1]).GetRasterBand(1).GetBlockSize() == [256, 256]
    barrier = threading.Barrier(THREADS)
    outcomes = [None] * THREADS

    def reader(i):
        path, want = datasets[i % 2], serial[i % 2]
        order = list(range(want.shape[0]))
        random.Random(100 + i).shuffle(order)
        barrier.wait()
        ds = gdal.OpenEx(str(path), gdal.OF_RASTER, allowed_drivers=["XAVIDEO"],
                         open_options=["NUM_THREADS=1"] if i % 4 < 2 else [])
        if ds is None:
            outcomes[i] = ("not opened", gdal.GetLastErrorMsg())
            return
        differ, failed = [], []
        for b in order:
            a = ds.GetRasterBand(b + 1).ReadAsArray()
            if a is None:
                failed.append(b)
            elif a.tobytes() != want[b].tobytes():
                differ.append(b)
        ds = None
        outcomes[i] = ("read", len(order), differ, failed)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
        assert not t.is_alive(), "a reader thread hangs"
    for i, o in enumerate(outcomes):
        assert o is not None and o[0] == "read", f"thread {i}: {o}"
        _, n, differ, failed = o
        assert n == serial[i % 2].shape[0]
        assert not failed, f"thread {i} on {datasets[i % 2].name}: bands {failed} failed"
        assert not differ, f"thread {i} on {datasets[i % 2].name}: bands {differ} differ from a serial read"
    assert np.isfinite(serial[0]).any()
