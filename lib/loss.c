/* lib/loss.c — see loss.h. */
#include "loss.h"

#include "layers.h" /* sigmoid, softplus */
#include "matrix.h"

double squared_error_loss(const double *Xhat, const double *X, size_t B, size_t p)
{
    return vector_squared_distance(Xhat, X, B * p) / (double)B;
}

void squared_error_backward(double *dXhat, const double *Xhat, const double *X, size_t B, size_t p)
{
    double scale = 2.0 / (double)B;
    for (size_t i = 0; i < B * p; i++)
        dXhat[i] += scale * (Xhat[i] - X[i]);
}

double bernoulli_logits_loss(const double *S, const double *X, size_t B, size_t p)
{
    double sum = 0.0;
    for (size_t i = 0; i < B * p; i++)
        sum += softplus(S[i]) - X[i] * S[i];
    return sum / (double)B;
}

void bernoulli_logits_backward(double *dS, const double *S, const double *X, size_t B, size_t p)
{
    double scale = 1.0 / (double)B;
    for (size_t i = 0; i < B * p; i++)
        dS[i] += scale * (sigmoid(S[i]) - X[i]);
}
