/*
 * decorrelate: three lossy variables that share an x265 stream and move
 * together (the bands of a multispectral image) are coded as their
 * principal components. The codec codes a stream's planes apart (x265
 * takes gbrp with the identity matrix), so what the bands have in common
 * would be paid three times; the components put it in one plane and leave
 * the other two nearly flat.
 *
 * The transform is one per variable over all its time steps (model.h,
 * XAV_QUANT_MIXED): each variable is normalized by its valid range (what
 * PSNR weighs), the components are the eigenvectors of the covariance of
 * the normalized values, sampled on the source, and share one step, in
 * 12 bits, wide enough for any valid value. The stream's CRF is lowered by
 * 6 log2 of how much coarser that step is than the variables' own, so that
 * its error stays where the CRF put it. Where the transform would not pay
 * (measured: doc/defaults.md), or where the quality asked is finer than
 * that shift allows (a CRF or QP below it: the components' step would cap
 * the quality), nothing changes.
 */
#ifndef XAV_DECORRELATE_H
#define XAV_DECORRELATE_H

#include "copy.h"

/* After the layout (plan.c): turns the variables of each lossy data stream
 * of three that pays into mixed ones, and sets the coding of their
 * streams; for an appended part, codes the streams of the variables the
 * dataset mixed as the dataset does. Reads a sample of the source. Returns
 * 0, or -1 with a CPLError. */
int xav_plan_decorrelation(xav_copy *cs);

#endif /* XAV_DECORRELATE_H */
