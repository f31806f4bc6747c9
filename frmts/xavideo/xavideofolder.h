/*
 * xarrayvideo's folders through the XAVIDEO driver (xavideofolder.cpp):
 * Identify is cheap (a folder with x.nc and a video, nothing parsed).
 */
#ifndef XAVIDEOFOLDER_H
#define XAVIDEOFOLDER_H

#include "gdal_priv.h"

int XAVIDEOFolderIdentify(GDALOpenInfo *info);
GDALDataset *XAVIDEOFolderOpen(GDALOpenInfo *info);

#endif /* XAVIDEOFOLDER_H */
