/*
** src/gen/users.c: the users generator (see users.h).
**
** Segments: k centres in a d-dimensional latent space, the best spread of
** 64 seeded draws, scaled so the closest two are `separation` apart; each
** user is centre + N(0, I). Columns: the latent value z of column j becomes
** base_j * exp(spread_j * z) (amounts, counts, durations: right-skewed),
** a logistic rate for share-like columns, or base_j * (1 + spread_j * z)
** everywhere in --gaussian mode. Churn: standardised effects per column
** turned into coefficients on the raw features with reference means and
** deviations from a fixed pilot sample; the intercept is set on that sample
** to hit churn_rate. The stored coefficients are exactly the model used.
*/
#include "users.h"

#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PILOT_ROWS 20000
#define STREAM_CENTRES 0xC3A5C85C97CB3127ULL
#define STREAM_PILOT 0xB492B66FBE98F273ULL

typedef enum column_shape { SHAPE_SKEWED, SHAPE_RATE, SHAPE_LINEAR } column_shape;

typedef struct column_spec {
    const char *name;
    column_shape shape;
    double base, spread; /* units and skew of the column     */
    double effect;       /* standardised effect on churn logit */
    bool integer;        /* rounded (counts)                   */
} column_spec;

static const column_spec named_columns[] = {
    {"recency_days", SHAPE_SKEWED, 30.0, 0.60, 0.80, false},
    {"frequency", SHAPE_SKEWED, 6.0, 0.50, -0.60, true},
    {"monetary", SHAPE_SKEWED, 250.0, 0.70, -0.30, false},
    {"avg_order_value", SHAPE_SKEWED, 45.0, 0.35, 0.10, false},
    {"tenure_days", SHAPE_SKEWED, 400.0, 0.50, -0.25, false},
    {"sessions_30d", SHAPE_SKEWED, 12.0, 0.50, -0.50, true},
    {"support_tickets", SHAPE_SKEWED, 0.8, 0.60, 0.30, false},
    {"discount_share", SHAPE_RATE, -1.0, 0.80, 0.20, false},
    {"email_open_rate", SHAPE_RATE, 0.0, 0.70, -0.40, false},
    {"days_between_orders", SHAPE_SKEWED, 40.0, 0.45, 0.30, false},
};
#define NAMED (int64_t)(sizeof named_columns / sizeof named_columns[0])

struct rt_gen_users {
    rt_gen_users_params p;
    column_spec *cols;
    char **names;
    double *centres; /* k x d latent */
    double *weights, *cdf;
    double intercept;
    double *coef;
};

void rt_gen_users_params_init(rt_gen_users_params *p)
{
    memset(p, 0, sizeof *p);
    p->n = 100000;
    p->d = 8;
    p->k = 5;
    p->seed = 42;
    p->separation = 4.0;
    p->churn_rate = 0.2;
}

retain_status rt_gen_users_params_check(const rt_gen_users_params *p)
{
    if (p->n < 1)
        return rt_error(RETAIN_ERR_USAGE, "n (rows) must be at least 1, got %lld", (long long)p->n);
    if (p->d < 1 || p->d > 100000)
        return rt_error(RETAIN_ERR_USAGE, "d (columns) must be in 1..100000, got %lld", (long long)p->d);
    if (p->k < 1 || p->k > 100000 || p->k > p->n)
        return rt_error(RETAIN_ERR_USAGE, "k (segments) must be in 1..min(n, 100000), got %lld",
                        (long long)p->k);
    if (!(p->separation >= 0) || p->separation > 1000)
        return rt_error(RETAIN_ERR_USAGE, "separation must be in 0..1000, got %g", p->separation);
    if (!(p->churn_rate > 0 && p->churn_rate < 1))
        return rt_error(RETAIN_ERR_USAGE, "churn rate must be strictly between 0 and 1, got %g",
                        p->churn_rate);
    return RETAIN_OK;
}

static double to_units(const column_spec *c, bool gaussian, double z)
{
    if (gaussian) {
        double base = c->shape == SHAPE_RATE ? 0.5 : c->base;
        double spread = c->shape == SHAPE_RATE ? 0.15 : c->spread;
        return base * (1.0 + spread * z);
    }
    switch (c->shape) {
    case SHAPE_SKEWED: {
        double v = c->base * exp(c->spread * z);
        return c->integer ? floor(v + 0.5) : v;
    }
    case SHAPE_RATE:
        return 1.0 / (1.0 + exp(-(c->base + c->spread * z)));
    case SHAPE_LINEAR:
        return c->base * (1.0 + c->spread * z);
    }
    return z;
}

static void make_columns(rt_gen_users *g, rt_rng *rng)
{
    for (int64_t j = 0; j < g->p.d; j++) {
        if (j < NAMED) {
            g->cols[j] = named_columns[j];
        } else {
            /* Extra behaviour columns: alternate skewed and linear, small
            ** effects, scales spread over four decades. */
            column_spec c = {NULL, (j % 2) ? SHAPE_LINEAR : SHAPE_SKEWED,
                             pow(10.0, (double)(j % 5) - 1.0), 0.3 + 0.1 * (double)(j % 3),
                             0.3 * (rt_rng_uniform(rng) - 0.5), false};
            if (c.shape == SHAPE_LINEAR)
                c.spread = 0.15;
            g->cols[j] = c;
        }
        char buf[64];
        if (j < NAMED)
            snprintf(buf, sizeof buf, "%s", named_columns[j].name);
        else
            snprintf(buf, sizeof buf, "behaviour_%02lld", (long long)(j - NAMED + 1));
        g->names[j] = strdup(buf);
    }
}

/* k centres: the most spread of 64 draws, scaled to the least distance. */
static void make_centres(rt_gen_users *g, rt_rng *rng)
{
    int64_t k = g->p.k, d = g->p.d;
    double *trial = malloc((size_t)(k * d) * sizeof *trial);
    double best = -1;
    for (int attempt = 0; attempt < 64 && trial; attempt++) {
        for (int64_t i = 0; i < k * d; i++)
            trial[i] = rt_rng_normal(rng);
        double least = INFINITY;
        for (int64_t a = 0; a < k; a++)
            for (int64_t b = a + 1; b < k; b++) {
                double s = 0;
                for (int64_t j = 0; j < d; j++) {
                    double t = trial[a * d + j] - trial[b * d + j];
                    s += t * t;
                }
                least = s < least ? s : least;
            }
        if (least > best) {
            best = least;
            memcpy(g->centres, trial, (size_t)(k * d) * sizeof *trial);
        }
        if (k < 2)
            break;
    }
    free(trial);
    double scale = (k > 1 && best > 0) ? g->p.separation / sqrt(best) : 0.0;
    for (int64_t i = 0; i < k * d; i++)
        g->centres[i] *= scale;
}

static void make_weights(rt_gen_users *g, rt_rng *rng)
{
    double total = 0;
    for (int64_t s = 0; s < g->p.k; s++) {
        g->weights[s] = 0.5 + rt_rng_uniform(rng); /* sizes differ up to 3x */
        total += g->weights[s];
    }
    double run = 0;
    for (int64_t s = 0; s < g->p.k; s++) {
        g->weights[s] /= total;
        run += g->weights[s];
        g->cdf[s] = run;
    }
}

static void draw_row(const rt_gen_users *g, rt_rng *rng, float *x, int32_t *segment)
{
    int64_t s = g->p.k > 1 ? rt_rng_pick_cdf(rng, g->cdf, g->p.k) : 0;
    const double *c = g->centres + s * g->p.d;
    for (int64_t j = 0; j < g->p.d; j++)
        x[j] = (float)to_units(&g->cols[j], g->p.gaussian, c[j] + rt_rng_normal(rng));
    *segment = (int32_t)s;
}

static double logit(const rt_gen_users *g, const float *x)
{
    double t = g->intercept;
    for (int64_t j = 0; j < g->p.d; j++)
        t += g->coef[j] * (double)x[j];
    return t;
}

/* Coefficients from standardised effects; intercept by bisection so the
** pilot sample's mean churn probability equals churn_rate. */
static retain_status make_churn_model(rt_gen_users *g)
{
    int64_t d = g->p.d, rows = PILOT_ROWS;
    float *pilot = malloc((size_t)(rows * d) * sizeof *pilot);
    double *mean = calloc((size_t)d, sizeof *mean), *sd = calloc((size_t)d, sizeof *sd);
    if (!pilot || !mean || !sd) {
        free(pilot);
        free(mean);
        free(sd);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    rt_rng rng;
    rt_rng_init(&rng, g->p.seed, STREAM_PILOT);
    for (int64_t i = 0; i < rows; i++) {
        int32_t seg;
        draw_row(g, &rng, pilot + i * d, &seg);
    }
    for (int64_t j = 0; j < d; j++) {
        for (int64_t i = 0; i < rows; i++)
            mean[j] += pilot[i * d + j];
        mean[j] /= (double)rows;
        for (int64_t i = 0; i < rows; i++)
            sd[j] += (pilot[i * d + j] - mean[j]) * (pilot[i * d + j] - mean[j]);
        sd[j] = sqrt(sd[j] / (double)rows);
        g->coef[j] = sd[j] > 0 ? g->cols[j].effect / sd[j] : 0.0;
    }
    double centred = 0;
    for (int64_t j = 0; j < d; j++)
        centred -= g->coef[j] * mean[j];
    double lo = centred - 30, hi = centred + 30;
    for (int it = 0; it < 100; it++) {
        g->intercept = 0.5 * (lo + hi);
        double sum = 0;
        for (int64_t i = 0; i < rows; i++)
            sum += 1.0 / (1.0 + exp(-logit(g, pilot + i * d)));
        if (sum / (double)rows < g->p.churn_rate)
            lo = g->intercept;
        else
            hi = g->intercept;
    }
    free(pilot);
    free(mean);
    free(sd);
    return RETAIN_OK;
}

retain_status rt_gen_users_create(const rt_gen_users_params *p, rt_gen_users **out)
{
    *out = NULL;
    retain_status s = rt_gen_users_params_check(p);
    if (s)
        return s;
    rt_gen_users *g = calloc(1, sizeof *g);
    if (!g)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    g->p = *p;
    size_t d = (size_t)p->d, k = (size_t)p->k;
    g->cols = calloc(d, sizeof *g->cols);
    g->names = calloc(d + 1, sizeof *g->names);
    g->centres = calloc(k * d, sizeof *g->centres);
    g->weights = calloc(k, sizeof *g->weights);
    g->cdf = calloc(k, sizeof *g->cdf);
    g->coef = calloc(d, sizeof *g->coef);
    if (!g->cols || !g->names || !g->centres || !g->weights || !g->cdf || !g->coef) {
        rt_gen_users_free(g);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    }
    rt_rng rng;
    rt_rng_init(&rng, p->seed, STREAM_CENTRES);
    make_columns(g, &rng);
    make_centres(g, &rng);
    make_weights(g, &rng);
    if ((s = make_churn_model(g))) {
        rt_gen_users_free(g);
        return s;
    }
    *out = g;
    return RETAIN_OK;
}

void rt_gen_users_free(rt_gen_users *g)
{
    if (!g)
        return;
    for (int64_t j = 0; g->names && j < g->p.d; j++)
        free(g->names[j]);
    free(g->names);
    free(g->cols);
    free(g->centres);
    free(g->weights);
    free(g->cdf);
    free(g->coef);
    free(g);
}

const char *const *rt_gen_users_names(const rt_gen_users *g)
{
    return (const char *const *)g->names;
}
const double *rt_gen_users_weights(const rt_gen_users *g) { return g->weights; }
double rt_gen_users_intercept(const rt_gen_users *g) { return g->intercept; }
const double *rt_gen_users_coef(const rt_gen_users *g) { return g->coef; }

void rt_gen_users_block(const rt_gen_users *g, int64_t first, int64_t count, float *x,
                        int32_t *segment, int8_t *churned)
{
    const int64_t d = g->p.d;
    rt_rng rng;
    for (int64_t i = 0; i < count; i++) {
        int64_t row = first + i;
        if (i == 0 || row % RT_GEN_USERS_STREAM_ROWS == 0)
            rt_rng_init(&rng, g->p.seed, (uint64_t)(row / RT_GEN_USERS_STREAM_ROWS));
        draw_row(g, &rng, x + i * d, &segment[i]);
        double prob = 1.0 / (1.0 + exp(-logit(g, x + i * d)));
        churned[i] = rt_rng_uniform(&rng) < prob ? 1 : 0;
    }
}
