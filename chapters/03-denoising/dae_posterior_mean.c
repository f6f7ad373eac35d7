/* chapters/03-denoising/dae_posterior_mean.c — the weakness of denoising auto-encoders that
 * Louppe L11 names: trained with the quadratic loss, the best reconstruction is
 *
 *     h(x~) = E[x | x~],
 *
 * which may be very unlikely under p(x | x~) when the posterior is multi-modal.  Here x
 * comes from two well-separated Gaussian modes on the real line,
 *     p(x) = (1 - w) N(x; -mu, s^2) + w N(x; mu, s^2),    x~ = x + sigma eps   (s, sigma > 0),
 * so that p(x | x~) and E[x | x~] are known in closed form (mixture_posterior, exercise 3.5).
 * A small network h: R -> R is trained with dae_train_step (exercise 3.4) on fresh draws,
 * and lands on E[x | x~], between the modes, where x itself almost never is.
 *
 *   - per epoch: the training loss and max |h(x~) - E[x | x~]| over x~ in [-1.5 mu, 1.5 mu];
 *   - a table of x~, E[x | x~], h(x~), the most likely x, and the posterior density at
 *     E[x | x~] relative to its peak;
 *   - posterior_mean.svg (h, E[x | x~], the posterior mode and x~ itself, against x~),
 *     posterior_density.svg (p(x | x~) for two values of x~, with E[x | x~] marked),
 *     posterior_mean.csv.
 *
 *     build/solutions/bin/dae_posterior_mean --sigma 0.5         (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "denoising.h"
#include "error.h"
#include "mlp.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"
#include "progress.h"

static const char *const PROGRAM = "dae_posterior_mean";

enum { CURVE_POINTS = 121, DENSITY_POINTS = 401, MODE_SEARCH_POINTS = 4001, TABLE_ROWS = 9 };

typedef struct Settings {
    CommonSettings common;     /* --out, --seed, --quiet (no data: the problem is drawn afresh) */
    TrainingSettings training; /* --hidden (tanh units of h), --epochs, --batch, --lr (initial) */
    size_t steps;
    double mu, mode_std, weight, sigma;
} Settings;

/* The network h: R -> R and the denoiser that trains it. */
typedef struct Model {
    Mlp h;
    Denoiser dae;
} Model;

/* The curves of the figure, on CURVE_POINTS values of x~ over [-1.5 mu, 1.5 mu]. */
typedef struct Curves {
    double x_tilde[CURVE_POINTS], posterior_mean[CURVE_POINTS], h[CURVE_POINTS], mode[CURVE_POINTS];
} Curves;

static GaussianMixture prior_of(const Settings *s)
{
    return (GaussianMixture){ { 1.0 - s->weight, s->weight }, { -s->mu, s->mu }, { s->mode_std, s->mode_std } };
}

/* E[x | x~] by Bayes' rule in closed form (exercise 3.5). */
static double posterior_mean(const GaussianMixture *prior, double sigma, double x_tilde)
{
    GaussianMixture posterior;
    mixture_posterior(&posterior, prior, sigma, x_tilde);
    return mixture_mean(&posterior);
}

/* The most likely x given x~, argmax_x p(x | x~), by a search over a fine grid. */
static double posterior_mode(const GaussianMixture *prior, double sigma, double x_tilde, double mu)
{
    GaussianMixture posterior;
    mixture_posterior(&posterior, prior, sigma, x_tilde);
    double best = NAN, best_density = -1.0;
    for (size_t i = 0; i < MODE_SEARCH_POINTS; i++) {
        double x = -2.0 * mu + 4.0 * mu * (double)i / (MODE_SEARCH_POINTS - 1);
        double density = mixture_density(&posterior, x);
        if (density > best_density) {
            best_density = density;
            best = x;
        }
    }
    return best;
}

static double h_of(Model *m, double x_tilde)
{
    return mlp_forward(&m->h, &x_tilde, 1)[0];
}

/* max |h(x~) - E[x | x~]| over the curve's x~ */
static double fill_curves(Curves *c, Model *m, const GaussianMixture *prior, const Settings *s, bool with_mode)
{
    double worst = 0.0;
    for (size_t i = 0; i < CURVE_POINTS; i++) {
        double x_tilde = -1.5 * s->mu + 3.0 * s->mu * (double)i / (CURVE_POINTS - 1);
        c->x_tilde[i] = x_tilde;
        c->posterior_mean[i] = posterior_mean(prior, s->sigma, x_tilde);
        c->h[i] = h_of(m, x_tilde);
        c->mode[i] = with_mode ? posterior_mode(prior, s->sigma, x_tilde, s->mu) : NAN;
        worst = fmax(worst, fabs(c->h[i] - c->posterior_mean[i]));
    }
    return worst;
}

/* ---- the model -------------------------------------------------------------------------- */

static void model_free(Model *m)
{
    dae_free(&m->dae);
    mlp_free(&m->h);
}

static bool model_init(Model *m, const Settings *s, Rng *rng, Error *err)
{
    *m = (Model){ 0 };
    const size_t sizes[3] = { 1, s->training.hidden, 1 };
    bool ok = mlp_init(&m->h, sizes, 3, ACTIVATION_TANH, ACTIVATION_IDENTITY, s->training.batch_size, rng, err)
              && dae_init(&m->dae, &m->h, (Corruption){ CORRUPTION_GAUSSIAN, s->sigma }, err);
    if (!ok)
        model_free(m);
    return ok;
}

/* Epochs of `steps` steps, each on a fresh batch x ~ p(x) (into x, (batch)) with a fresh
 * x~; the learning rate drops 5-fold at half and at three quarters of the run, to settle
 * the curve. */
static bool train_epochs(Model *m, Optimizer *optimizer, double *x, Curves *curves, const GaussianMixture *prior,
                         const Settings *s, Rng *rng, Error *err)
{
    Stopwatch watch;
    stopwatch_start(&watch);
    size_t total = s->training.epochs * s->steps;
    for (size_t epoch = 1; epoch <= s->training.epochs; epoch++) {
        double loss = 0.0;
        for (size_t step = 0; step < s->steps; step++) {
            size_t done = (epoch - 1) * s->steps + step;
            if (done == total / 2 || done == 3 * total / 4)
                optimizer->learning_rate /= 5.0;
            mixture_sample(x, prior, s->training.batch_size, rng);
            loss += dae_train_step(&m->dae, optimizer, x, s->training.batch_size, rng);
        }
        loss /= (double)s->steps;
        if (!isfinite(loss))
            return error_set(err, "epoch %zu: the loss became %s (try a smaller --lr)", epoch,
                             isnan(loss) ? "NaN" : "infinite");
        double worst = fill_curves(curves, m, prior, s, false);
        if (!s->common.quiet)
            printf("epoch %3zu/%zu   train ||h(x~) - x||^2 %8.4f   max |h(x~) - E[x | x~]| %7.4f   (%.1f s)\n",
                   epoch, s->training.epochs, loss, worst, stopwatch_seconds(&watch));
    }
    return true;
}

/* Adam over h's parameters, for the run only. */
static bool train(Model *m, Curves *curves, const GaussianMixture *prior, const Settings *s, Rng *rng, Error *err)
{
    Optimizer optimizer = { 0 };
    double *x = alloc_doubles(s->training.batch_size, err);
    bool ok = x && optimizer_init_adam(&optimizer, &m->dae.parameters, s->training.learning_rate, err)
              && train_epochs(m, &optimizer, x, curves, prior, s, rng, err);
    optimizer_free(&optimizer);
    free(x);
    return ok;
}

/* ---- figures -------------------------------------------------------------------------------- */

/* h is drawn at every MARK_STRIDE-th point, with markers, so it shows on top of E[x | x~]. */
static bool write_mean_plot(const Curves *c, const char *path, Error *err)
{
    enum { MARK_STRIDE = 4, MARKED = (CURVE_POINTS - 1) / MARK_STRIDE + 1 };
    double x_marked[MARKED], h_marked[MARKED];
    for (size_t i = 0; i < MARKED; i++) {
        x_marked[i] = c->x_tilde[i * MARK_STRIDE];
        h_marked[i] = c->h[i * MARK_STRIDE];
    }
    PlotSeries series[4] = {
        { "E[x | x~], closed form", c->x_tilde, c->posterior_mean, CURVE_POINTS },
        { "argmax p(x | x~), most likely x", c->x_tilde, c->mode, CURVE_POINTS },
        { "x~ itself (no denoising)", c->x_tilde, c->x_tilde, CURVE_POINTS },
        { "h(x~), trained", x_marked, h_marked, MARKED },
    };
    PlotOptions plot = { "the denoiser learns E[x | x~], between the modes", "x~ (noisy input)",
                         "reconstruction of x", false };
    return svg_line_plot(path, &plot, series, 4, err);
}

/* p(x | x~) over x for two values of x~, each with a vertical line at E[x | x~]. */
static bool write_density_plot(const GaussianMixture *prior, const Settings *s, const double x_tildes[2],
                               const char *path, Error *err)
{
    static double x[DENSITY_POINTS], density[2][DENSITY_POINTS];
    double marker_x[2][2], marker_y[2][2];
    char labels[4][64];
    PlotSeries series[4];
    for (size_t k = 0; k < 2; k++) {
        GaussianMixture posterior;
        mixture_posterior(&posterior, prior, s->sigma, x_tildes[k]);
        double peak = 0.0;
        for (size_t i = 0; i < DENSITY_POINTS; i++) {
            x[i] = -2.0 * s->mu + 4.0 * s->mu * (double)i / (DENSITY_POINTS - 1);
            density[k][i] = mixture_density(&posterior, x[i]);
            peak = fmax(peak, density[k][i]);
        }
        marker_x[k][0] = marker_x[k][1] = mixture_mean(&posterior);
        marker_y[k][0] = 0.0;
        marker_y[k][1] = peak;
        snprintf(labels[2 * k], sizeof labels[0], "p(x | x~ = %g)", x_tildes[k]);
        snprintf(labels[2 * k + 1], sizeof labels[0], "E[x | x~ = %g] = %.3f", x_tildes[k], marker_x[k][0]);
        series[2 * k] = (PlotSeries){ labels[2 * k], x, density[k], DENSITY_POINTS };
        series[2 * k + 1] = (PlotSeries){ labels[2 * k + 1], marker_x[k], marker_y[k], 2 };
    }
    PlotOptions plot = { "the posterior p(x | x~) is bimodal; its mean is where x is not", "x", "density",
                         false };
    return svg_line_plot(path, &plot, series, 4, err);
}

static bool write_curves_csv(const Curves *c, const char *path, Error *err)
{
    static const char *const columns[] = { "x_tilde", "posterior_mean", "h", "posterior_mode" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 4, err))
        return false;
    for (size_t i = 0; i < CURVE_POINTS; i++)
        csv_row(&log, (double[]){ c->x_tilde[i], c->posterior_mean[i], c->h[i], c->mode[i] });
    return csv_close(&log, err);
}

static const Figure FIGURES[] = {
    { "posterior_mean.svg", "h(x~), E[x | x~], the most likely x and x~ itself, against x~" },
    { "posterior_density.svg", "p(x | x~) for two x~, with E[x | x~] marked" },
    { "posterior_mean.csv", "the curves of posterior_mean.svg as a table" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool write_figures(const Curves *c, const GaussianMixture *prior, const Settings *s, Error *err)
{
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    if (!figure_paths(path, s->common.out_dir, FIGURES, FIGURE_COUNT, err))
        return false;
    const double x_tildes[2] = { 0.0, 0.25 * s->mu };
    bool ok = write_mean_plot(c, path[0], err) && write_density_plot(prior, s, x_tildes, path[1], err)
              && write_curves_csv(c, path[2], err);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    return ok;
}

/* ---- the run -------------------------------------------------------------------------------- */

/* The loss of E[x | x~] itself, the least any h can reach: the mean of (E[x | x~_i] - x_i)^2
 * over n fresh draws (x_i, x~_i), with its standard error sqrt(Var / n). */
static double posterior_mean_loss(double *standard_error, const GaussianMixture *prior, double sigma, Rng *rng)
{
    enum { DRAWS = 100000 };
    double total = 0.0, squares = 0.0, x, x_tilde;
    for (size_t i = 0; i < DRAWS; i++) {
        mixture_sample(&x, prior, 1, rng);
        corrupt_gaussian(&x_tilde, &x, 1, sigma, rng);
        double error = posterior_mean(prior, sigma, x_tilde) - x;
        total += error * error;
        squares += error * error * error * error;
    }
    double mean = total / DRAWS;
    *standard_error = sqrt((squares / DRAWS - mean * mean) / DRAWS);
    return mean;
}

static void print_summary(Model *m, const GaussianMixture *prior, const Settings *s, double worst, Rng *rng)
{
    static const double fractions[TABLE_ROWS] = { -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5 };
    printf("\n%-16s p(x) = %g N(-%g, %g^2) + %g N(%g, %g^2),  x~ = x + %g eps\n", "problem", prior->weight[0], s->mu,
           s->mode_std, prior->weight[1], s->mu, s->mode_std, s->sigma);
    printf("%-16s 1 -> %zu (tanh) -> 1, Adam lr %g, %zu x %zu steps of batch %zu, seed %zu\n", "h", s->training.hidden,
           s->training.learning_rate, s->training.epochs, s->steps, s->training.batch_size, s->common.seed);
    printf("%-16s max |h(x~) - E[x | x~]| = %.4f over x~ in [%g, %g]\n", "fit", worst, -1.5 * s->mu, 1.5 * s->mu);
    double standard_error, floor = posterior_mean_loss(&standard_error, prior, s->sigma, rng);
    printf("%-16s %.4f +- %.4f for E[x | x~] itself (100,000 fresh draws), the least any h can reach\n", "loss",
           floor, standard_error);
    printf("\n%8s %12s %10s %14s %12s %22s\n", "x~", "E[x | x~]", "h(x~)", "most likely x", "P(+ mode)",
           "p(E[x|x~] | x~) / peak");
    for (size_t r = 0; r < TABLE_ROWS; r++) {
        double x_tilde = fractions[r] * s->mu;
        GaussianMixture posterior;
        mixture_posterior(&posterior, prior, s->sigma, x_tilde);
        double mean = mixture_mean(&posterior), mode = posterior_mode(prior, s->sigma, x_tilde, s->mu);
        double relative = mixture_density(&posterior, mean) / mixture_density(&posterior, mode);
        printf("%8.3f %12.4f %10.4f %14.4f %12.4f %22.3g\n", x_tilde, mean, h_of(m, x_tilde), mode,
               posterior.weight[1], relative);
    }
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Model m = { 0 };
    Curves *curves = NULL;
    GaussianMixture prior = prior_of(s);
    Rng rng;
    rng_seed(&rng, s->common.seed);
    bool ok = make_directories(s->common.out_dir, err)
              && (curves = checked_calloc(1, sizeof *curves, err)) && model_init(&m, s, &rng, err);
    if (ok && !s->common.quiet)
        printf("%s: h learns E[x | x~] for x from two modes at -%g and %g (std %g), noise sigma = %g\n", PROGRAM,
               s->mu, s->mu, s->mode_std, s->sigma);
    ok = ok && train(&m, curves, &prior, s, &rng, err);
    double worst = ok ? fill_curves(curves, &m, &prior, s, true) : NAN;
    ok = ok && write_figures(curves, &prior, s, err);
    if (ok && !s->common.quiet)
        print_summary(&m, &prior, s, worst, &rng);
    model_free(&m);
    free(curves);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/dae_posterior_mean", .seed = 1 },
                   .training = { .hidden = 32, .epochs = 8, .batch_size = 256, .learning_rate = 0.01 },
                   .steps = 2000, .mu = 1.0, .mode_std = 0.1, .weight = 0.5, .sigma = 0.5 };
    const Option options[] = {
        { "mu", OPTION_DOUBLE, &s.mu, "the modes of p(x) are at -mu and mu", 1e-3, 1e3 },
        { "mode-std", OPTION_DOUBLE, &s.mode_std, "standard deviation s of each mode", 1e-6, INFINITY },
        { "weight", OPTION_DOUBLE, &s.weight, "probability w of the mode at +mu", 1e-6, 1.0 - 1e-6 },
        { "sigma", OPTION_DOUBLE, &s.sigma, "standard deviation of the noise, x~ = x + sigma eps", 1e-6, INFINITY },
        { "steps", OPTION_SIZE, &s.steps, "steps per epoch, each on a fresh batch", 1, 1000000 },
    };
    const Program program = { .name = PROGRAM, .common = &s.common, .reads_mnist = false, .training = &s.training,
                              PROGRAM_OPTIONS(options), .run = run, .settings = &s,
                              .description = "Train a denoiser h on a two-mode problem where E[x | x~] is known, and "
                                             "show that h learns it (Louppe L11)." };
    return program_main(&program, argc, argv);
}
