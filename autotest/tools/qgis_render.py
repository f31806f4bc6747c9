"""Child process of test_qgis.py, run with /usr/bin/python3 (QGIS's
Python) in its own environment: headless QGIS loads each raster given,
renders it alone over its own extent to a PNG, and prints what QGIS says
about it as one JSON document on stdout.

usage: qgis_render.py PROFILE_DIR OUT_DIR WIDTH HEIGHT RASTER...
"""
import json
import os
import sys

from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings,
                       QgsProviderRegistry, QgsRasterLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def describe(layer):
    extent = layer.extent()
    renderer = layer.renderer()
    return {
        "valid": layer.isValid(),
        "provider": layer.providerType(),
        "crs": layer.crs().authid(),
        "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
        "size": [layer.width(), layer.height()],
        "band_names": [layer.bandName(b) for b in range(1, layer.bandCount() + 1)],
        "renderer": renderer.type() if renderer else None,
        "bands_rendered": renderer.usesBands() if renderer else [],
    }


def render(layer, png, width, height):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent())
    settings.setOutputSize(QSize(width, height))
    settings.setBackgroundColor(QColor(255, 255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage().save(png, "PNG")


def main():
    profile, out_dir, width, height = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    app = QgsApplication([], False, profile)
    app.initQgis()
    filters = QgsProviderRegistry.instance().fileRasterFilters().split(";;")
    result = {"filters": filters, "layers": []}
    for i, path in enumerate(sys.argv[5:]):
        layer = QgsRasterLayer(path, os.path.basename(path), "gdal")
        info = describe(layer)
        if layer.isValid():
            info["png"] = os.path.join(out_dir, f"{i}.png")
            info["saved"] = render(layer, info["png"], width, height)
        result["layers"].append(info)
        del layer
    print(json.dumps(result))
    sys.stdout.flush()
    app.exitQgis()


if __name__ == "__main__":
    main()
