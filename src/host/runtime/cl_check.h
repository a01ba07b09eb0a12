/* cl_check.h — checking every OpenCL / CLBlast call: the error's name, file:line and a hint. */
#ifndef YOSO_CL_CHECK_H
#define YOSO_CL_CHECK_H

#include <CL/cl.h>

#include "error.h"

/* The OpenCL error constant's name, e.g. "CL_OUT_OF_RESOURCES" for -5. */
const char *yoso_cl_error_name(cl_int err);
/* What a user can do about an error, or "" when there is nothing specific to say. */
const char *yoso_cl_error_hint(cl_int err);
/* Records "<what> failed at file:line: NAME (code)[: hint]" and returns the matching status. */
yoso_status yoso_cl_fail(cl_int err, const char *what, const char *file, int line);
/* Same for a CLBlast status code (its OpenCL-range codes share names with OpenCL's). */
yoso_status yoso_clblast_fail(int err, const char *what, const char *file, int line);

/* Inside a function with `yoso_status status` and a `fail:` label: checks an OpenCL call. */
#define CL_CHECK(call)                                                                             \
    do {                                                                                           \
        cl_int cl_err_ = (call);                                                                   \
        if (cl_err_ != CL_SUCCESS) {                                                               \
            status = yoso_cl_fail(cl_err_, #call, __FILE__, __LINE__);                             \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

/* Checks the error out-parameter of a creating call (clCreateBuffer & co). */
#define CL_CHECK_ERR(err, what)                                                                    \
    do {                                                                                           \
        if ((err) != CL_SUCCESS) {                                                                 \
            status = yoso_cl_fail((err), (what), __FILE__, __LINE__);                              \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

/* Inside the same kind of function: propagates a failing yoso_status. */
#define YOSO_TRY(call)                                                                             \
    do {                                                                                           \
        status = (call);                                                                           \
        if (status != YOSO_OK) goto fail;                                                          \
    } while (0)

#endif
