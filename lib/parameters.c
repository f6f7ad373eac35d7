/* lib/parameters.c — see parameters.h. */
#include "parameters.h"

#include <assert.h>
#include <stdio.h>

#include "matrix.h"

void parameters_add(ParameterList *list, const char *name, double *value, double *grad, size_t size)
{
    assert(list->count < MAX_PARAMETER_TENSORS);
    Parameter *p = &list->items[list->count++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->value = value;
    p->grad = grad;
    p->size = size;
}

void parameters_zero_grad(const ParameterList *list)
{
    for (size_t i = 0; i < list->count; i++)
        vector_zero(list->items[i].grad, list->items[i].size);
}

size_t parameters_count_scalars(const ParameterList *list)
{
    size_t total = 0;
    for (size_t i = 0; i < list->count; i++)
        total += list->items[i].size;
    return total;
}
