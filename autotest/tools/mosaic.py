"""Mosaics of real data larger than any file we have: used by the tests of
large rasters and by the tile benchmark."""
from pathlib import Path

from osgeo import gdal


def mosaic_vrt(path, src_path, nx, ny, bands=(1,)):
    """A VRT of nx x ny copies of a real raster side by side (a mosaic of
    real data far larger than any file we have), with the source's pixel
    size and CRS. Returns its size."""
    src = gdal.Open(str(src_path))
    w, h = src.RasterXSize, src.RasterYSize
    gt = src.GetGeoTransform()
    dtype = gdal.GetDataTypeName(src.GetRasterBand(1).DataType)
    out = [f'<VRTDataset rasterXSize="{w * nx}" rasterYSize="{h * ny}">',
           f"<SRS>{src.GetProjectionRef().replace('&', '&amp;').replace('<', '&lt;')}</SRS>",
           f"<GeoTransform>{', '.join(repr(v) for v in gt)}</GeoTransform>"]
    for i, b in enumerate(bands):
        out.append(f'<VRTRasterBand dataType="{dtype}" band="{i + 1}">')
        nodata = src.GetRasterBand(b).GetNoDataValue()
        if nodata is not None:
            out.append(f"<NoDataValue>{nodata!r}</NoDataValue>")
        for r in range(ny):
            for c in range(nx):
                out.append(
                    f'<SimpleSource><SourceFilename relativeToVRT="0">{src_path}</SourceFilename>'
                    f'<SourceBand>{b}</SourceBand><SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>'
                    f'<DstRect xOff="{c * w}" yOff="{r * h}" xSize="{w}" ySize="{h}"/></SimpleSource>')
        out.append("</VRTRasterBand>")
    out.append("</VRTDataset>")
    Path(path).write_text("\n".join(out))
    return w * nx, h * ny
