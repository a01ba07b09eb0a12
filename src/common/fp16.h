/* fp16.h — IEEE 754 binary16 (half) ↔ float32 conversion on the host. */
#ifndef YOSO_FP16_H
#define YOSO_FP16_H

#include <stdint.h>

/* float32 → half bits, round to nearest even; overflow gives ±Inf, Inf stays Inf, NaN stays a
 * (quiet) NaN, tiny values become half subnormals or ±0. */
uint16_t yoso_float_to_half(float value);

/* half bits → float32, exact for every half (normals, subnormals, ±0, ±Inf, NaN). */
float yoso_half_to_float(uint16_t half);

#endif
