/* lib/parameters.h — a model's parameter tensors, as the optimiser and the gradient
 * checker see them: a named value array and the gradient array of the same size. */
#ifndef VAELAB_PARAMETERS_H
#define VAELAB_PARAMETERS_H

#include <stddef.h>

enum { MAX_PARAMETER_TENSORS = 32 };

typedef struct Parameter {
    char name[48]; /* e.g. "f1.W": W of the first layer of the encoder f */
    double *value; /* (size) */
    double *grad;  /* (size), dL/dvalue, accumulated by the backward passes */
    size_t size;
} Parameter;

typedef struct ParameterList {
    Parameter items[MAX_PARAMETER_TENSORS];
    size_t count;
} ParameterList;

/* Append one tensor (asserts there is room: the models are ours). */
void parameters_add(ParameterList *list, const char *name, double *value, double *grad, size_t size);
/* grad = 0 for every tensor: call before each backward pass, since backward accumulates. */
void parameters_zero_grad(const ParameterList *list);
/* The number of scalars in all tensors. */
size_t parameters_count_scalars(const ParameterList *list);

#endif
