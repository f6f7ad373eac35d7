/* lib/loss.c — see loss.h. */
#include "loss.h"

#include "layers.h" /* sigmoid, softplus */
#include "matrix.h"

double squared_error_loss(const double *Xhat, const double *X, size_t B, size_t D)
{
    return vector_squared_distance(Xhat, X, B * D) / (double)B;
}

void squared_error_backward(double *dXhat, const double *Xhat, const double *X, size_t B, size_t D)
{
    double scale = 2.0 / (double)B;
    for (size_t i = 0; i < B * D; i++)
        dXhat[i] += scale * (Xhat[i] - X[i]);
}

double bernoulli_logits_loss(const double *S, const double *X, size_t B, size_t D)
{
    double sum = 0.0;
    for (size_t i = 0; i < B * D; i++)
        sum += softplus(S[i]) - X[i] * S[i];
    return sum / (double)B;
}

void bernoulli_logits_backward(double *dS, const double *S, const double *X, size_t B, size_t D)
{
    double scale = 1.0 / (double)B;
    for (size_t i = 0; i < B * D; i++)
        dS[i] += scale * (sigmoid(S[i]) - X[i]);
}
