/*
 * lattice: values on a grid of a known step. GRIB fields are packed with a
 * decimal or binary scale (NDFD temperatures on 0.1 K, wave heights on
 * 0.1 m), so their values are offset + k * step, up to the rounding of the
 * arithmetic that unpacked them. Found from the data alone: the scan keeps
 * the distinct valid values (distinct.h: a lattice of at most 2^16 points
 * has no more);
 * then the step is the closest pair's difference, refined over the widest
 * span of values 2^16 such steps hold, and every distinct value must sit
 * within a thousandth of a step of it. A variable on a lattice is coded as
 * the integers k, exactly, where its bound allows (plan.c): no error but
 * the unpacking's rounding, and no correction.
 */
#ifndef XAV_LATTICE_H
#define XAV_LATTICE_H

#include <stddef.h>
#include <stdint.h>

#include "distinct.h"

typedef struct {
    int state;     /* 0: collecting; 1: holds; -1: does not */
    double offset; /* a value of the lattice */
    double step;
    double noise;      /* largest distance of a value from its lattice point */
    xav_distinct seen; /* the distinct values, while collecting */
} xav_lattice;

void xav_lattice_init(xav_lattice *l);
/* Takes the n values whose mask code is valid. */
void xav_lattice_add(xav_lattice *l, const double *x, const uint8_t *mask,
                     size_t n);
/* After the last value: decides, and frees what it kept. */
void xav_lattice_finish(xav_lattice *l);

#endif /* XAV_LATTICE_H */
