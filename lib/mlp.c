/* lib/mlp.c — see mlp.h. */
#include "mlp.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "matrix.h"

static bool layer_init(MlpLayer *layer, size_t in, size_t out, Activation activation,
                       size_t max_batch, Rng *rng, Error *err)
{
    double gain = activation == ACTIVATION_RELU ? sqrt(2.0) : 1.0;
    layer->activation = activation;
    if (!dense_init(&layer->dense, in, out, gain, rng, err))
        return false;
    layer->pre = alloc_doubles(max_batch * out, err);
    layer->post = alloc_doubles(max_batch * out, err);
    layer->grad_pre = alloc_doubles(max_batch * out, err);
    layer->grad_post = alloc_doubles(max_batch * out, err);
    return layer->pre && layer->post && layer->grad_pre && layer->grad_post;
}

static void layer_free(MlpLayer *layer)
{
    dense_free(&layer->dense);
    free(layer->pre);
    free(layer->post);
    free(layer->grad_pre);
    free(layer->grad_post);
}

bool mlp_init(Mlp *mlp, const size_t *sizes, size_t size_count, Activation hidden,
              Activation output, size_t max_batch, Rng *rng, Error *err)
{
    assert(size_count >= 2 && max_batch > 0);
    *mlp = (Mlp){ .layer_count = size_count - 1, .max_batch = max_batch };
    mlp->layers = checked_calloc(mlp->layer_count, sizeof *mlp->layers, err);
    if (!mlp->layers)
        return false;
    for (size_t l = 0; l < mlp->layer_count; l++) {
        Activation activation = l + 1 == mlp->layer_count ? output : hidden;
        if (!layer_init(&mlp->layers[l], sizes[l], sizes[l + 1], activation, max_batch, rng, err)) {
            mlp_free(mlp);
            return false;
        }
    }
    return true;
}

void mlp_free(Mlp *mlp)
{
    for (size_t l = 0; mlp->layers && l < mlp->layer_count; l++)
        layer_free(&mlp->layers[l]);
    free(mlp->layers);
    *mlp = (Mlp){ 0 };
}

size_t mlp_input_size(const Mlp *mlp)
{
    return mlp->layers[0].dense.in;
}

size_t mlp_output_size(const Mlp *mlp)
{
    return mlp->layers[mlp->layer_count - 1].dense.out;
}

const double *mlp_output(const Mlp *mlp)
{
    return mlp->layers[mlp->layer_count - 1].post;
}

const double *mlp_forward(Mlp *mlp, const double *X, size_t B)
{
    assert(B <= mlp->max_batch);
    mlp->input = X;
    mlp->batch = B;
    const double *h = X; /* h_0 = x */
    for (size_t l = 0; l < mlp->layer_count; l++) {
        MlpLayer *layer = &mlp->layers[l];
        dense_forward(layer->pre, &layer->dense, h, B);                             /* a_l */
        activation_forward(layer->post, layer->activation, layer->pre, B * layer->dense.out); /* h_l */
        h = layer->post;
    }
    return h;
}

void mlp_backward(double *dX, Mlp *mlp, const double *dY)
{
    size_t B = mlp->batch;
    const double *grad_output = dY; /* dL/dh_L */
    for (size_t l = mlp->layer_count; l-- > 0;) {
        MlpLayer *layer = &mlp->layers[l];
        size_t n = B * layer->dense.out;
        vector_zero(layer->grad_pre, n);
        activation_backward(layer->grad_pre, layer->activation, layer->pre, layer->post, grad_output, n);
        const double *layer_input = l == 0 ? mlp->input : mlp->layers[l - 1].post;
        double *grad_input = dX; /* dL/dh_{l-1}: the caller's dX for the first layer */
        if (l > 0) {
            grad_input = mlp->layers[l - 1].grad_post;
            vector_zero(grad_input, B * layer->dense.in);
        }
        dense_backward(grad_input, &layer->dense, layer_input, layer->grad_pre, B);
        grad_output = grad_input;
    }
}

void mlp_parameters(Mlp *mlp, ParameterList *list, const char *prefix)
{
    char name[40];
    for (size_t l = 0; l < mlp->layer_count; l++) {
        snprintf(name, sizeof name, "%s%zu", prefix, l + 1); /* layer l + 1 of f: "f1" */
        dense_parameters(&mlp->layers[l].dense, list, name);
    }
}
