/* lib/loss.h — the losses, each averaged over the B examples of a mini-batch (so the
 * learning rate does not depend on the batch size), with its gradient.
 *
 * Squared error (Louppe L11, the auto-encoder's reconstruction loss):
 *     L = (1/B) sum_i ||x_i - xhat_i||^2,          dL/dxhat_i = (2/B) (xhat_i - x_i).
 * Bernoulli cross-entropy on logits s (pixels x in [0, 1], p(x_j = 1) = sigmoid(s_j)):
 *     L = -(1/B) sum_i sum_j [x_ij log sigmoid(s_ij) + (1 - x_ij) log(1 - sigmoid(s_ij))]
 *       =  (1/B) sum_i sum_j [softplus(s_ij) - x_ij s_ij],
 *     dL/ds_ij = (1/B) (sigmoid(s_ij) - x_ij).
 * The softplus form never takes the log of a number that rounded to 0.
 */
#ifndef VAELAB_LOSS_H
#define VAELAB_LOSS_H

#include <stddef.h>

/* L = (1/B) sum_i ||x_i - xhat_i||^2                   Xhat, X (B, p) */
double squared_error_loss(const double *Xhat, const double *X, size_t B, size_t p);
/* dXhat += (2/B) (Xhat - X)                            dXhat, Xhat, X (B, p) */
void squared_error_backward(double *dXhat, const double *Xhat, const double *X, size_t B, size_t p);
/* L = (1/B) sum_ij [softplus(s_ij) - x_ij s_ij]        S, X (B, p) */
double bernoulli_logits_loss(const double *S, const double *X, size_t B, size_t p);
/* dS += (1/B) (sigmoid(S) - X)                         dS, S, X (B, p) */
void bernoulli_logits_backward(double *dS, const double *S, const double *X, size_t B, size_t p);

#endif
