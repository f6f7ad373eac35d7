/* lib/layers.c — see layers.h. */
#include "layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "matrix.h"

bool dense_init(Dense *layer, size_t in, size_t out, double gain, Rng *rng, Error *err)
{
    *layer = (Dense){ .in = in, .out = out };
    layer->W = alloc_doubles(in * out, err);
    layer->b = alloc_doubles(out, err);
    layer->dW = alloc_doubles(in * out, err);
    layer->db = alloc_doubles(out, err);
    if (!layer->W || !layer->b || !layer->dW || !layer->db) {
        dense_free(layer);
        return false;
    }
    rng_fill_normal(rng, layer->W, in * out, 0.0, gain / sqrt((double)in));
    return true;
}

void dense_free(Dense *layer)
{
    free(layer->W);
    free(layer->b);
    free(layer->dW);
    free(layer->db);
    *layer = (Dense){ 0 };
}

void dense_forward(double *H, const Dense *layer, const double *X, size_t B)
{
    matrix_multiply(H, X, layer->W, B, layer->in, layer->out);
    add_row_vector(H, layer->b, B, layer->out);
}

void dense_backward(double *dX, Dense *layer, const double *X, const double *dH, size_t B)
{
    matrix_multiply_at_add(layer->dW, X, dH, B, layer->in, layer->out);
    sum_rows_add(layer->db, dH, B, layer->out);
    if (dX)
        matrix_multiply_bt_add(dX, dH, layer->W, B, layer->out, layer->in);
}

void dense_parameters(Dense *layer, ParameterList *list, const char *prefix)
{
    char name[48];
    snprintf(name, sizeof name, "%s.W", prefix);
    parameters_add(list, name, layer->W, layer->dW, layer->in * layer->out);
    snprintf(name, sizeof name, "%s.b", prefix);
    parameters_add(list, name, layer->b, layer->db, layer->out);
}

double sigmoid(double a)
{
    if (a >= 0.0)
        return 1.0 / (1.0 + exp(-a));
    double e = exp(a); /* a < 0: exp(a) cannot overflow */
    return e / (1.0 + e);
}

double softplus(double a)
{
    return fmax(a, 0.0) + log1p(exp(-fabs(a)));
}

const char *activation_name(Activation activation)
{
    switch (activation) {
    case ACTIVATION_IDENTITY: return "identity";
    case ACTIVATION_RELU: return "relu";
    case ACTIVATION_SIGMOID: return "sigmoid";
    case ACTIVATION_TANH: return "tanh";
    }
    return "?";
}

void activation_forward(double *Y, Activation activation, const double *A, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double a = A[i];
        switch (activation) {
        case ACTIVATION_IDENTITY: Y[i] = a; break;
        case ACTIVATION_RELU: Y[i] = a > 0.0 ? a : 0.0; break;
        case ACTIVATION_SIGMOID: Y[i] = sigmoid(a); break;
        case ACTIVATION_TANH: Y[i] = tanh(a); break;
        }
    }
}

void activation_backward(double *dA, Activation activation, const double *A, const double *Y,
                         const double *dY, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double slope = 1.0;
        switch (activation) {
        case ACTIVATION_IDENTITY: slope = 1.0; break;
        case ACTIVATION_RELU: slope = A[i] > 0.0 ? 1.0 : 0.0; break;
        case ACTIVATION_SIGMOID: slope = Y[i] * (1.0 - Y[i]); break;
        case ACTIVATION_TANH: slope = 1.0 - Y[i] * Y[i]; break;
        }
        dA[i] += slope * dY[i];
    }
}
