/*
** src/rules/eclat.c: frequent itemsets by Eclat (Zaki, IEEE TKDE 2000) in
** the occurrence-delivery form of LCM (Uno, Kiyomi, Arimura, FIMI 2004),
** with bitsets where the conditional database turns dense.
**
** Items are coded by descending frequency (items.c) and each basket is a
** list of ascending codes. An itemset grows from its rarest item towards
** more frequent ones: its extensions are the codes below its last item.
** A node (a prefix P) holds one view per basket containing P: the part of
** the basket below P's last item, reduced to the codes still frequent with
** P. One pass over the views counts every extension; the frequent ones are
** reported; a second pass reduces the views to the frequent codes and
** delivers each reduced basket c0 < c1 < ... to extension ck cut to
** c0..ck-1, and the extensions are mined in turn. When a node's extensions
** are few beside its baskets (nf^2 x words <= BITSET_RATIO x cells), it
** switches to one bitset per extension over its reduced baskets and the
** search below it is AND + popcount (kernels/cpu/and_popcount*.c).
**
** The work splits by first item: each is an independent sub-problem run
** on its own thread into its own buffer, and the buffers are joined in
** item order, so the output is the same for any thread count. Memory: the
** recoded baskets, the views of the current path (a per-thread arena),
** and the itemsets found, guarded by max_itemsets and max_bytes.
*/
#include "rules.h"

#include "core/arena.h"
#include "core/error.h"
#include "kernels/cpu/kernels.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Itemsets found by one sub-problem, in the layout of rt_itemsets. */
typedef struct found {
    int64_t count, cap, ncodes, code_cap;
    int64_t *off, *support;
    int32_t *codes;
} found;

static bool found_add(found *f, const int32_t *codes, int64_t len, int64_t support)
{
    if (f->count + 1 >= f->cap) {
        int64_t cap = f->cap ? f->cap * 2 : 256;
        int64_t *off = realloc(f->off, (size_t)(cap + 1) * sizeof *off);
        if (!off)
            return false;
        f->off = off;
        int64_t *sup = realloc(f->support, (size_t)cap * sizeof *sup);
        if (!sup)
            return false;
        f->support = sup;
        if (f->cap == 0)
            f->off[0] = 0;
        f->cap = cap;
    }
    if (f->ncodes + len > f->code_cap) {
        int64_t cap = f->code_cap ? f->code_cap * 2 : 1024;
        while (cap < f->ncodes + len)
            cap *= 2;
        int32_t *c = realloc(f->codes, (size_t)cap * sizeof *c);
        if (!c)
            return false;
        f->codes = c;
        f->code_cap = cap;
    }
    memcpy(f->codes + f->ncodes, codes, (size_t)len * sizeof *codes);
    f->ncodes += len;
    f->support[f->count] = support;
    f->off[++f->count] = f->ncodes;
    return true;
}

static void found_free(found *f)
{
    free(f->off);
    free(f->support);
    free(f->codes);
}

/* A basket as the search sees it below some prefix: the codes before the
** prefix's last item that are still frequent with the prefix, ascending. */
typedef struct view {
    const int32_t *codes;
    int64_t len;
} view;

typedef struct miner {
    const rt_mine_params *p;
    int64_t *cnt;      /* per code, zero between uses                     */
    int32_t *rank;     /* per code, -1 unless a projection is under way    */
    int32_t *touched;  /* codes counted at the current node                */
    int32_t *prefix;   /* the current itemset, descending codes            */
    rt_arena arena;    /* per-node lists, released on the way back up      */
    found *out;
    int64_t *total;    /* itemsets found by all threads                    */
    int64_t *bytes;    /* the memory they take                             */
    volatile int *stop;
    rt_and_popcount_fn and_popcount;
} miner;

typedef struct ext {
    int32_t code;
    int64_t count;
} ext;

static int by_code(const void *a, const void *b)
{
    int32_t x = ((const ext *)a)->code, y = ((const ext *)b)->code;
    return (x > y) - (x < y);
}

/* Adds n itemsets of length len to the shared tallies; sets stop past
** either limit. */
static void count_found(miner *m, int64_t n, int64_t len)
{
    int64_t total, bytes, add = n * (2 * (int64_t)sizeof(int64_t) + len * (int64_t)sizeof(int32_t));
#pragma omp atomic capture
    total = *m->total += n;
#pragma omp atomic capture
    bytes = *m->bytes += add;
    if (total > m->p->max_itemsets || (m->p->max_bytes > 0 && bytes > m->p->max_bytes))
        *m->stop = 1;
}

/* A frequent extension in the bitset form: bit k of bits is set when
** reduced basket k of the node that made it holds the itemset. The
** bitsets of one node's extensions lie one after another (words apart),
** so one kernel call intersects a bitset with all those before it. */
typedef struct bcol {
    int32_t code;
    int64_t count;
    uint64_t *bits;
} bcol;

/* Switch to bitsets at a node when nf^2 x words <= BITSET_RATIO x the
** codes of its reduced baskets: the dense conditional databases, where
** one AND + popcount per pair beats scanning baskets (the ratio measured
** best on retail.dat and T10I4D100K.dat lies between 64 and 30000). */
#define BITSET_RATIO 256.0

/* The children of prefix[0..depth), whose frequent extensions (already
** reported) are cols[0..ncols), ascending by code: for each cols[i], its
** extensions cols[j], j < i, counted by AND + popcount, reported, and
** searched in turn. */
static bool mine_bits(miner *m, int64_t depth, const bcol *cols, int64_t ncols, int64_t words)
{
    bool ok = true, deeper = m->p->max_len == 0 || depth + 3 <= m->p->max_len;
    for (int64_t i = 1; ok && i < ncols && !*m->stop; i++) {
        rt_arena_mark mark = rt_arena_save(&m->arena);
        bcol *kids = rt_arena_alloc(&m->arena, (size_t)i * sizeof *kids);
        uint64_t *kb = rt_arena_alloc(&m->arena, (size_t)(i * words) * sizeof *kb);
        int64_t *cnt = rt_arena_alloc(&m->arena, (size_t)i * sizeof *cnt);
        if (!kids || !kb || !cnt) {
            rt_arena_release(&m->arena, mark);
            return false;
        }
        m->prefix[depth] = cols[i].code;
        m->and_popcount(cols[i].bits, cols[0].bits, i, words, kb, cnt);
        int64_t nk = 0;
        for (int64_t j = 0; j < i; j++) {
            if (cnt[j] < m->p->min_count)
                continue;
            if (nk != j)
                memcpy(kb + nk * words, kb + j * words, (size_t)words * sizeof *kb);
            kids[nk] = (bcol){cols[j].code, cnt[j], kb + nk * words};
            nk++;
        }
        for (int64_t k = 0; ok && k < nk; k++) {
            m->prefix[depth + 1] = kids[k].code;
            ok = found_add(m->out, m->prefix, depth + 2, kids[k].count);
        }
        count_found(m, nk, depth + 2);
        if (ok && deeper && nk > 1 && !*m->stop)
            ok = mine_bits(m, depth + 1, kids, nk, words);
        rt_arena_release(&m->arena, mark);
    }
    return ok;
}

/* The node's reduced baskets as one bitset per frequent extension. */
static bool to_bits(miner *m, int64_t depth, const ext *f, int64_t nf, const view *reduced,
                    int64_t nr)
{
    int64_t words = (nr + 63) / 64;
    uint64_t *bits = rt_arena_alloc(&m->arena, (size_t)(nf * words) * sizeof *bits);
    bcol *cols = rt_arena_alloc(&m->arena, (size_t)nf * sizeof *cols);
    if (!bits || !cols)
        return false;
    memset(bits, 0, (size_t)(nf * words) * sizeof *bits);
    for (int64_t i = 0; i < nf; i++) {
        m->rank[f[i].code] = (int32_t)i;
        cols[i] = (bcol){f[i].code, f[i].count, bits + i * words};
    }
    for (int64_t k = 0; k < nr; k++)
        for (int64_t j = 0; j < reduced[k].len; j++)
            bits[m->rank[reduced[k].codes[j]] * words + k / 64] |= 1ull << (k % 64);
    for (int64_t i = 0; i < nf; i++)
        m->rank[f[i].code] = -1;
    return mine_bits(m, depth, cols, nf, words);
}

#define PREFETCH 8 /* views ahead */

/* Mines the extensions of prefix[0..depth), which occurs in the baskets
** whose views are v[0..nv). Each extension's own baskets are the views
** holding it, cut before it and reduced to the frequent extensions (the
** database reduction of LCM), so deeper levels scan only what can still
** count. Returns false when out of memory. */
static bool mine_node(miner *m, int64_t depth, const view *v, int64_t nv)
{
    rt_arena_mark mark = rt_arena_save(&m->arena);
    /* Codes in the views lie below the node's item. When they are few
    ** beside the views, count blindly and scan them all; else keep a list
    ** of the codes touched. */
    int32_t tail = m->prefix[depth - 1];
    bool dense = tail <= 4 * nv;
    int64_t nt = 0, cells = 0;
    for (int64_t k = 0; k < nv; k++) {
        /* views point into baskets spread over memory: fetch ahead */
        if (k + PREFETCH < nv)
            __builtin_prefetch(v[k + PREFETCH].codes);
        cells += v[k].len;
        if (dense)
            for (const int32_t *c = v[k].codes, *end = c + v[k].len; c < end; c++)
                m->cnt[*c]++;
        else
            for (const int32_t *c = v[k].codes, *end = c + v[k].len; c < end; c++)
                if (m->cnt[*c]++ == 0)
                    m->touched[nt++] = *c;
    }
    int64_t cand = dense ? tail : nt;
    ext *f = rt_arena_alloc(&m->arena, (size_t)(cand ? cand : 1) * sizeof *f);
    if (!f) {
        for (int64_t i = 0; i < cand; i++)
            m->cnt[dense ? i : m->touched[i]] = 0;
        return false;
    }
    int64_t nf = 0;
    for (int64_t i = 0; i < cand; i++) {
        int32_t c = dense ? (int32_t)i : m->touched[i];
        if (m->cnt[c] >= m->p->min_count)
            f[nf++] = (ext){c, m->cnt[c]};
        m->cnt[c] = 0;
    }
    if (!dense && nf > 1)
        qsort(f, (size_t)nf, sizeof *f, by_code);
    bool ok = true;
    for (int64_t i = 0; ok && i < nf; i++) {
        m->prefix[depth] = f[i].code;
        ok = found_add(m->out, m->prefix, depth + 1, f[i].count);
    }
    count_found(m, nf, depth + 1);
    bool deeper = m->p->max_len == 0 || depth + 1 < m->p->max_len;
    if (!ok || !deeper || nf < 2 || *m->stop) {
        rt_arena_release(&m->arena, mark);
        return ok;
    }
    /* The reduced baskets: each view's frequent codes, kept when two or
    ** more (a lone code extends nothing below it). */
    int32_t *codes = rt_arena_alloc(&m->arena, (size_t)(cells ? cells : 1) * sizeof *codes);
    view *reduced = rt_arena_alloc(&m->arena, (size_t)(nv ? nv : 1) * sizeof *reduced);
    int64_t *need = rt_arena_alloc(&m->arena, (size_t)nf * sizeof *need);
    if (!codes || !reduced || !need) {
        rt_arena_release(&m->arena, mark);
        return false;
    }
    for (int64_t i = 0; i < nf; i++) {
        m->rank[f[i].code] = (int32_t)i;
        need[i] = 0;
    }
    int64_t nr = 0, w = 0;
    for (int64_t k = 0; k < nv; k++) {
        int64_t start = w;
        if (k + PREFETCH < nv)
            __builtin_prefetch(v[k + PREFETCH].codes);
        for (const int32_t *c = v[k].codes, *end = c + v[k].len; c < end; c++)
            if (m->rank[*c] >= 0)
                codes[w++] = *c;
        if (w - start < 2) {
            w = start;
            continue;
        }
        for (int64_t j = start + 1; j < w; j++)
            need[m->rank[codes[j]]]++;
        reduced[nr++] = (view){codes + start, w - start};
    }
    for (int64_t i = 0; i < nf; i++)
        m->rank[f[i].code] = -1;
    double ratio = m->p->bitset_ratio == 0 ? BITSET_RATIO : m->p->bitset_ratio;
    if ((double)nf * (double)nf * (double)((nr + 63) / 64) <= ratio * (double)w) {
        ok = to_bits(m, depth, f, nf, reduced, nr);
        rt_arena_release(&m->arena, mark);
        return ok;
    }
    /* Deliver: a reduced basket c0 < c1 < ... goes to ck's list cut to c0..ck-1. */
    int64_t sum = 0;
    for (int64_t i = 0; i < nf; i++) {
        int64_t n = need[i];
        need[i] = sum;
        sum += n;
    }
    view *lists = rt_arena_alloc(&m->arena, (size_t)(sum ? sum : 1) * sizeof *lists);
    int64_t *fill = rt_arena_alloc(&m->arena, (size_t)nf * sizeof *fill);
    if (!lists || !fill) {
        rt_arena_release(&m->arena, mark);
        return false;
    }
    for (int64_t i = 0; i < nf; i++)
        m->rank[f[i].code] = (int32_t)i;
    for (int64_t i = 0; i < nf; i++)
        fill[i] = need[i];
    for (int64_t k = 0; k < nr; k++)
        for (int64_t j = 1; j < reduced[k].len; j++)
            lists[fill[m->rank[reduced[k].codes[j]]]++] = (view){reduced[k].codes, j};
    for (int64_t i = 0; i < nf; i++)
        m->rank[f[i].code] = -1;
    for (int64_t i = 1; ok && i < nf && !*m->stop; i++) {
        if (fill[i] == need[i])
            continue;
        m->prefix[depth] = f[i].code;
        ok = mine_node(m, depth + 1, lists + need[i], fill[i] - need[i]);
    }
    rt_arena_release(&m->arena, mark);
    return ok;
}

static retain_status join(const rt_recoded *r, found *parts, int64_t nparts,
                          rt_itemsets *out)
{
    int64_t count = r->n_codes, ncodes = r->n_codes;
    for (int64_t i = 0; i < nparts; i++) {
        count += parts[i].count;
        ncodes += parts[i].ncodes;
    }
    out->count = count;
    out->off = malloc((size_t)(count + 1) * sizeof *out->off);
    out->support = malloc((size_t)(count ? count : 1) * sizeof *out->support);
    out->codes = malloc((size_t)(ncodes ? ncodes : 1) * sizeof *out->codes);
    if (!out->off || !out->support || !out->codes)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld itemsets",
                        (long long)count);
    out->off[0] = 0;
    int64_t at = 0;
    for (int64_t c = 0; c < r->n_codes; c++) {
        out->codes[c] = (int32_t)c;
        out->support[c] = r->code_count[c];
        out->off[c + 1] = c + 1;
    }
    at = r->n_codes;
    out->max_len = r->n_codes > 0;
    for (int64_t i = 0; i < nparts; i++) {
        found *f = &parts[i];
        if (f->count == 0)
            continue;
        memcpy(out->codes + out->off[at], f->codes, (size_t)f->ncodes * sizeof *f->codes);
        memcpy(out->support + at, f->support, (size_t)f->count * sizeof *f->support);
        for (int64_t k = 0; k < f->count; k++) {
            out->off[at + k + 1] = out->off[at] + f->off[k + 1];
            if (f->off[k + 1] - f->off[k] > out->max_len)
                out->max_len = f->off[k + 1] - f->off[k];
        }
        at += f->count;
    }
    return RETAIN_OK;
}

retain_status rt_eclat_mine(const rt_recoded *r, const rt_mine_params *p, rt_itemsets *out)
{
    memset(out, 0, sizeof *out);
    int64_t nc = r->n_codes;
    if (nc > p->max_itemsets)
        return rt_error(RETAIN_ERR_DATA,
                        "more than --max-itemsets %lld frequent itemsets: %lld single items "
                        "alone; raise --min-support (or --min-count) or --max-itemsets",
                        (long long)p->max_itemsets, (long long)nc);
    /* The root: each basket c0 < c1 < ... goes to ck's list cut to c0..ck-1. */
    int64_t *start = calloc((size_t)nc + 1, sizeof *start);
    view *lists = malloc((size_t)(r->toff[r->n_trans] ? r->toff[r->n_trans] : 1) * sizeof *lists);
    found *parts = calloc((size_t)(nc ? nc : 1), sizeof *parts);
    int64_t *fill = malloc((size_t)(nc ? nc : 1) * sizeof *fill);
    retain_status s = RETAIN_OK;
    if (!start || !lists || !parts || !fill) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the occurrence lists");
        goto done;
    }
    for (int64_t t = 0; t < r->n_trans; t++)
        for (int64_t k = r->toff[t] + 1; k < r->toff[t + 1]; k++)
            start[r->tcode[k] + 1]++;
    for (int64_t c = 0; c < nc; c++)
        start[c + 1] += start[c];
    memcpy(fill, start, (size_t)nc * sizeof *fill);
    for (int64_t t = 0; t < r->n_trans; t++)
        for (int64_t k = r->toff[t] + 1; k < r->toff[t + 1]; k++)
            lists[fill[r->tcode[k]]++] = (view){r->tcode + r->toff[t], k - r->toff[t]};
    int64_t total = nc, bytes = nc * 20, done_tasks = 0;
    volatile int stop = 0, oom = 0;
    int64_t max_trans = 2;
    for (int64_t t = 0; t < r->n_trans; t++)
        if (r->toff[t + 1] - r->toff[t] > max_trans)
            max_trans = r->toff[t + 1] - r->toff[t];
    bool deeper = p->max_len == 0 || p->max_len > 1;
#pragma omp parallel if (nc > 64)
    {
        miner m = {p, calloc((size_t)nc, sizeof(int64_t)), malloc((size_t)nc * sizeof(int32_t)),
                   malloc((size_t)nc * sizeof(int32_t)),
                   malloc((size_t)(max_trans + 1) * sizeof(int32_t)), {NULL, NULL}, NULL,
                   &total, &bytes, &stop, rt_kernels_get()->and_popcount};
        rt_arena_init(&m.arena);
        if (!m.cnt || !m.rank || !m.touched || !m.prefix)
            oom = 1;
        else
            for (int64_t c = 0; c < nc; c++)
                m.rank[c] = -1;
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = 1; c < nc; c++) {
            if (oom || stop || !deeper || start[c + 1] == start[c])
                continue;
            m.out = &parts[c];
            m.prefix[0] = (int32_t)c;
            if (!mine_node(&m, 1, lists + start[c], start[c + 1] - start[c]))
                oom = 1;
            int64_t d;
#pragma omp atomic capture
            d = ++done_tasks;
            if (omp_get_thread_num() == 0 && p->progress)
                p->progress(p->progress_user, "itemsets", d, nc - 1);
        }
        free(m.cnt);
        free(m.rank);
        free(m.touched);
        free(m.prefix);
        rt_arena_free(&m.arena);
    }
    if (oom)
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory mining itemsets (%lld found); raise "
                     "--min-support or set --max-len", (long long)total);
    else if (stop && total <= p->max_itemsets)
        s = rt_error(RETAIN_ERR_DATA,
                     "the %lld frequent itemsets found when the search stopped take %.1f GiB "
                     "(with working copies, up to 4 times that: the memory available); raise --min-support (or --min-count), set "
                     "--max-len, or lower --max-itemsets",
                     (long long)total, (double)bytes / (1 << 30));
    else if (stop)
        s = rt_error(RETAIN_ERR_DATA,
                     "more than --max-itemsets %lld frequent itemsets (%lld found when the "
                     "search stopped); raise --min-support (or --min-count), set --max-len, "
                     "or raise --max-itemsets",
                     (long long)p->max_itemsets, (long long)total);
    else
        s = join(r, parts, nc, out);
done:
    for (int64_t c = 0; parts && c < nc; c++)
        found_free(&parts[c]);
    free(parts);
    free(start);
    free(lists);
    free(fill);
    if (s)
        rt_itemsets_free(out);
    return s;
}

void rt_itemsets_free(rt_itemsets *s)
{
    free(s->off);
    free(s->support);
    free(s->codes);
    memset(s, 0, sizeof *s);
}
