/*
 * map_tables.c: the tables of the issue map, drawn from the aggregates
 * map.c gathered while it wrote the evidence, and the gap-type rules.
 *
 * Every count here is a count of evidence rows with raised = 1 (map.h), so
 * a reader can rebuild any cell from map_evidence.csv:
 *
 *   issues.csv        issue, cluster, process, stakeholder_group, documents,
 *                     submitters, mentions.  One row per issue and
 *                     (process, stakeholder_group) pair with at least one
 *                     raising document; sorted by issue id, then process,
 *                     then group, bytewise.  documents: documents raising
 *                     the issue; submitters: distinct submitter values among
 *                     them (the document id stands in for an empty
 *                     submitter); mentions: their issue_mention rows.
 *   issues_by_process.csv, issues_by_group.csv
 *                     issue, cluster, one column per distinct value of the
 *                     metadata column over the whole corpus (bytewise order;
 *                     an empty value is headed "(none)"), total.  Every
 *                     issue of the lexicon is a row (zeros included), in id
 *                     order; cells are documents raising the issue.
 *   issue_mechanisms.csv
 *                     issue, cluster, mechanism, mechanism_type, unit,
 *                     cooccurrences, documents, linked.  One row per pair
 *                     with at least one co-occurrence, sorted by issue then
 *                     mechanism id.  linked is 1 when the pair reaches the
 *                     link thresholds.
 *   gaps.csv          one row per issue of the lexicon, in id order:
 *                     issue, cluster, documents, submitters, groups,
 *                     mentions, gap_claims, gap_claim_documents,
 *                     linked_multilateral, linked_multistakeholder,
 *                     linked_technical, linked_regional (numbers of linked
 *                     mechanisms), multilateral_mechanisms, ...,
 *                     regional_mechanisms (their ids, ';'-separated),
 *                     positioned, position_mean, position_sd,
 *                     lean_multilateral, lean_multistakeholder (empty
 *                     without positions; mean empty when positioned is 0,
 *                     sd, the sample standard deviation, when it is below
 *                     2; three decimals), gap_type, gap_reason.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "map.h"
#include "map_int.h"

#define STAGE "map"

/* ======================================================================
 * Gap rules
 * ====================================================================== */

static const char *const gap_names[MAP_NGAP_TYPES] = {
    "not_raised", "no_home", "multilateral_only", "multistakeholder_only", "contested",
    "covered"
};

const char *map_gap_type_name(int t)
{
    return t >= 0 && t < MAP_NGAP_TYPES ? gap_names[t] : NULL;
}

/* Both camps hold at least contested_share of the positioned documents. */
static int is_contested(const map_gap_facts *f, const map_opts *o)
{
    if (f->positioned < o->contested_min_n)
        return 0;
    double need = o->contested_share * (double)f->positioned;
    /* A small tolerance so that 1 of 4 meets a share of 0.25 exactly. */
    return (double)f->lean_multilateral + 1e-9 >= need &&
           (double)f->lean_multistakeholder + 1e-9 >= need;
}

int map_gap_classify(const map_gap_facts *f, const map_opts *o)
{
    if (f->documents == 0)
        return MAP_GAP_NOT_RAISED;
    int ml = f->linked[LEX_MT_MULTILATERAL] > 0;
    int ms = f->linked[LEX_MT_MULTISTAKEHOLDER] > 0 || f->linked[LEX_MT_TECHNICAL] > 0;
    if (!ml && !ms)
        return MAP_GAP_NO_HOME;
    if (!ms)
        return MAP_GAP_MULTILATERAL_ONLY;
    if (!ml)
        return MAP_GAP_MULTISTAKEHOLDER_ONLY;
    return is_contested(f, o) ? MAP_GAP_CONTESTED : MAP_GAP_COVERED;
}

static const char *plural(uint32_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

char *map_gap_reason(const map_gap_facts *f, const map_opts *o, char *buf, size_t n)
{
    const uint32_t *l = f->linked;
    uint32_t d = f->documents;
    switch (map_gap_classify(f, o)) {
    case MAP_GAP_NOT_RAISED:
        snprintf(buf, n, "no document raises it");
        break;
    case MAP_GAP_NO_HOME:
        if (l[LEX_MT_REGIONAL])
            snprintf(buf, n, "raised by %u %s; linked to no multilateral, multistakeholder "
                     "or technical mechanism, only to %u regional %s", d,
                     plural(d, "document", "documents"), l[LEX_MT_REGIONAL],
                     plural(l[LEX_MT_REGIONAL], "one", "ones"));
        else
            snprintf(buf, n, "raised by %u %s; linked to no mechanism", d,
                     plural(d, "document", "documents"));
        break;
    case MAP_GAP_MULTILATERAL_ONLY:
        snprintf(buf, n, "raised by %u %s; linked only to multilateral mechanisms (%u)", d,
                 plural(d, "document", "documents"), l[LEX_MT_MULTILATERAL]);
        break;
    case MAP_GAP_MULTISTAKEHOLDER_ONLY:
        snprintf(buf, n, "raised by %u %s; linked only to multistakeholder (%u) and "
                 "technical (%u) mechanisms", d, plural(d, "document", "documents"),
                 l[LEX_MT_MULTISTAKEHOLDER], l[LEX_MT_TECHNICAL]);
        break;
    case MAP_GAP_CONTESTED:
        snprintf(buf, n, "both ends linked; of %u positioned %s, %u lean multilateral and "
                 "%u multistakeholder", f->positioned,
                 plural(f->positioned, "document", "documents"), f->lean_multilateral,
                 f->lean_multistakeholder);
        break;
    default:
        if (f->positioned)
            snprintf(buf, n, "both ends linked; of %u positioned %s, %u lean multilateral "
                     "and %u multistakeholder: not split", f->positioned,
                     plural(f->positioned, "document", "documents"), f->lean_multilateral,
                     f->lean_multistakeholder);
        else
            snprintf(buf, n, "both ends linked");
        break;
    }
    return buf;
}

/* ======================================================================
 * Helpers
 * ====================================================================== */

/* A raising document with the metadata the tables group by. */
struct drow {
    uint32_t issue, doc, mentions, claims;
    const char *process, *group, *submitter;
};

static int cmp_drow(const void *a, const void *b)
{
    const struct drow *x = a, *y = b;
    int c;
    if (x->issue != y->issue)
        return x->issue < y->issue ? -1 : 1;
    if ((c = strcmp(x->process, y->process)) != 0)
        return c;
    if ((c = strcmp(x->group, y->group)) != 0)
        return c;
    if ((c = strcmp(x->submitter, y->submitter)) != 0)
        return c;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static struct drow *drows_make(const map_run *m)
{
    struct drow *d = ig_calloc(m->ndi ? m->ndi : 1, sizeof *d);
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < m->ndi; i++) {
        const struct map_docissue *x = &m->di[i];
        d[i].issue = x->issue;
        d[i].doc = x->doc;
        d[i].mentions = x->mentions;
        d[i].claims = x->claims;
        d[i].process = map_meta(m, x->doc, m->col_process);
        d[i].group = map_meta(m, x->doc, m->col_group);
        d[i].submitter = map_submitter(m, x->doc);
    }
    qsort(d, m->ndi, sizeof *d, cmp_drow);
    return d;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct strings of v[0..n) in bytewise order, in place; returns count. */
static size_t distinct(const char **v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    return k;
}

static int not_scanned(const map_run *m, ig_err *e)
{
    if (m->scanned)
        return IG_OK;
    return ig_err_set(e, IG_EUSAGE, STAGE, NULL, IG_ERR_NOPOS, IG_ERR_NOPOS, IG_ERR_NOPOS,
                      "map tables asked for before map_scan");
}

/* ======================================================================
 * issues.csv
 * ====================================================================== */

int map_write_issues(const map_run *m, ig_csv_writer *w, ig_err *e)
{
    static const char *const header[] = { "issue", "cluster", "process", "stakeholder_group",
                                          "documents", "submitters", "mentions", NULL };
    int rc = not_scanned(m, e);
    if (rc)
        return rc;
    struct drow *d = drows_make(m);
    if (d == NULL)
        return ig_err_nomem(e, STAGE);
    const lex_file *ix = m->lx[MAP_LX_ISSUES];
    rc = ig_csv_header(w, header);
    for (size_t i = 0; i < m->ndi && rc == IG_OK;) {
        size_t j = i;
        uint64_t docs = 0, subs = 0, mentions = 0;
        for (; j < m->ndi && d[j].issue == d[i].issue && strcmp(d[j].process, d[i].process) == 0 &&
               strcmp(d[j].group, d[i].group) == 0; j++) {
            docs++;
            mentions += d[j].mentions;
            subs += j == i || strcmp(d[j].submitter, d[j - 1].submitter) != 0;
        }
        rc = ig_csv_str(w, lex_key_name(ix, d[i].issue));
        rc = rc ? rc : ig_csv_str(w, lex_cluster_name(lex_key_group(ix, d[i].issue)));
        rc = rc ? rc : ig_csv_str(w, d[i].process);
        rc = rc ? rc : ig_csv_str(w, d[i].group);
        rc = rc ? rc : ig_csv_u64(w, docs);
        rc = rc ? rc : ig_csv_u64(w, subs);
        rc = rc ? rc : ig_csv_u64(w, mentions);
        rc = rc ? rc : ig_csv_endrow(w);
        i = j;
    }
    ig_free(d);
    return rc;
}

/* ======================================================================
 * issues_by_process.csv, issues_by_group.csv
 * ====================================================================== */

int map_write_wide(const map_run *m, ig_csv_writer *w, const char *colname, ig_err *e)
{
    int rc = not_scanned(m, e);
    if (rc)
        return rc;
    long col = idx_col_find(m->r, colname);
    size_t nd = m->ndocs, nv = 0, ni = m->nissues;
    const char **vals = ig_calloc(nd ? nd : 1, sizeof *vals);
    uint32_t *docval = ig_calloc(nd ? nd : 1, sizeof *docval);
    uint64_t *cells = NULL, *total = NULL;
    const lex_file *ix = m->lx[MAP_LX_ISSUES];
    if (vals == NULL || docval == NULL)
        goto nomem;
    for (size_t d = 0; d < nd; d++)
        vals[d] = map_meta(m, (uint32_t)d, col);
    nv = distinct(vals, nd);
    for (size_t d = 0; d < nd; d++) {
        const char *v = map_meta(m, (uint32_t)d, col);
        const char **hit = bsearch(&v, vals, nv, sizeof *vals, cmp_str);
        docval[d] = (uint32_t)(hit - vals);
    }
    if (ni && nv > SIZE_MAX / sizeof *cells / ni)
        goto nomem;
    cells = ig_calloc(ni * nv > 0 ? ni * nv : 1, sizeof *cells);
    total = ig_calloc(ni ? ni : 1, sizeof *total);
    if (cells == NULL || total == NULL)
        goto nomem;
    for (size_t i = 0; i < m->ndi; i++) {
        cells[(size_t)m->di[i].issue * nv + docval[m->di[i].doc]]++;
        total[m->di[i].issue]++;
    }
    rc = ig_csv_str(w, "issue");
    rc = rc ? rc : ig_csv_str(w, "cluster");
    for (size_t v = 0; v < nv && rc == IG_OK; v++)
        rc = ig_csv_str(w, *vals[v] ? vals[v] : "(none)");
    rc = rc ? rc : ig_csv_str(w, "total");
    rc = rc ? rc : ig_csv_endrow(w);
    for (size_t i = 0; i < ni && rc == IG_OK; i++) {
        rc = ig_csv_str(w, lex_key_name(ix, i));
        rc = rc ? rc : ig_csv_str(w, lex_cluster_name(lex_key_group(ix, i)));
        for (size_t v = 0; v < nv && rc == IG_OK; v++)
            rc = ig_csv_u64(w, cells[i * nv + v]);
        rc = rc ? rc : ig_csv_u64(w, total[i]);
        rc = rc ? rc : ig_csv_endrow(w);
    }
    goto out;
nomem:
    rc = ig_err_nomem(e, STAGE);
out:
    ig_free(vals);
    ig_free(docval);
    ig_free(cells);
    ig_free(total);
    return rc;
}

/* ======================================================================
 * issue_mechanisms.csv
 * ====================================================================== */

static int cmp_pair(const void *a, const void *b)
{
    uint64_t x = (*(const struct map_pair *const *)a)->key;
    uint64_t y = (*(const struct map_pair *const *)b)->key;
    return x < y ? -1 : x > y;
}

/* Every pair with a co-occurrence, in (issue, mechanism) order: key - 1 is
 * issue * nmechs + mech.  Free with ig_free; NULL when out of memory. */
static const struct map_pair **sorted_pairs(const map_run *m, size_t *n)
{
    const struct map_pair **v = ig_calloc(m->npairs ? m->npairs : 1, sizeof *v);
    *n = 0;
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < m->cappairs; i++)
        if (m->pairs[i].key)
            v[(*n)++] = &m->pairs[i];
    qsort(v, *n, sizeof *v, cmp_pair);
    return v;
}

static uint32_t pair_issue(const map_run *m, const struct map_pair *p)
{
    return (uint32_t)((p->key - 1) / m->nmechs);
}

static uint32_t pair_mech(const map_run *m, const struct map_pair *p)
{
    return (uint32_t)((p->key - 1) % m->nmechs);
}

static int is_linked(const map_run *m, const struct map_pair *p)
{
    return p && p->cooc >= m->o.link_min_cooc && p->docs >= m->o.link_min_docs;
}

int map_write_issue_mechanisms(const map_run *m, ig_csv_writer *w, ig_err *e)
{
    static const char *const header[] = { "issue", "cluster", "mechanism", "mechanism_type",
                                          "unit", "cooccurrences", "documents", "linked",
                                          NULL };
    int rc = not_scanned(m, e);
    if (rc)
        return rc;
    size_t n;
    const struct map_pair **v = sorted_pairs(m, &n);
    if (v == NULL)
        return ig_err_nomem(e, STAGE);
    const lex_file *ix = m->lx[MAP_LX_ISSUES], *mx = m->lx[MAP_LX_MECHS];
    char unit[32];
    map_unit_name(&m->o, unit, sizeof unit);
    rc = ig_csv_header(w, header);
    for (size_t i = 0; i < n && rc == IG_OK; i++) {
        uint32_t issue = pair_issue(m, v[i]), mech = pair_mech(m, v[i]);
        rc = ig_csv_str(w, lex_key_name(ix, issue));
        rc = rc ? rc : ig_csv_str(w, lex_cluster_name(lex_key_group(ix, issue)));
        rc = rc ? rc : ig_csv_str(w, lex_key_name(mx, mech));
        rc = rc ? rc : ig_csv_str(w, lex_mtype_name(lex_key_group(mx, mech)));
        rc = rc ? rc : ig_csv_str(w, unit);
        rc = rc ? rc : ig_csv_u64(w, v[i]->cooc);
        rc = rc ? rc : ig_csv_u64(w, v[i]->docs);
        rc = rc ? rc : ig_csv_u64(w, (uint64_t)is_linked(m, v[i]));
        rc = rc ? rc : ig_csv_endrow(w);
    }
    ig_free(v);
    return rc;
}

/* ======================================================================
 * gaps.csv
 * ====================================================================== */

int map_write_gaps(const map_run *m, ig_csv_writer *w, ig_err *e)
{
    static const char *const header[] = {
        "issue", "cluster", "documents", "submitters", "groups", "mentions", "gap_claims",
        "gap_claim_documents", "linked_multilateral", "linked_multistakeholder",
        "linked_technical", "linked_regional", "multilateral_mechanisms",
        "multistakeholder_mechanisms", "technical_mechanisms", "regional_mechanisms",
        "positioned", "position_mean", "position_sd", "lean_multilateral",
        "lean_multistakeholder", "gap_type", "gap_reason", NULL
    };
    int rc = not_scanned(m, e);
    if (rc)
        return rc;
    const lex_file *ix = m->lx[MAP_LX_ISSUES], *mx = m->lx[MAP_LX_MECHS];
    struct drow *d = drows_make(m);
    const char **subs = ig_calloc(m->ndi ? m->ndi : 1, sizeof *subs);
    const char **grps = ig_calloc(m->ndi ? m->ndi : 1, sizeof *grps);
    double *sc = ig_calloc(m->ndi ? m->ndi : 1, sizeof *sc);
    size_t np = 0, pat = 0;
    const struct map_pair **pv = sorted_pairs(m, &np);
    ig_buf names[LEX_NMTYPES] = { IG_BUF_INIT, IG_BUF_INIT, IG_BUF_INIT, IG_BUF_INIT };
    if (d == NULL || subs == NULL || grps == NULL || sc == NULL || pv == NULL) {
        rc = ig_err_nomem(e, STAGE);
        goto out;
    }
    rc = ig_csv_header(w, header);
    size_t at = 0; /* d is sorted by issue first */
    for (uint32_t is = 0; is < m->nissues && rc == IG_OK; is++) {
        map_gap_facts f;
        memset(&f, 0, sizeof f);
        uint64_t mentions = 0, claims = 0, claimdocs = 0;
        size_t nsub = 0, ngrp = 0, nsc = 0;
        for (; at < m->ndi && d[at].issue == is; at++) {
            f.documents++;
            mentions += d[at].mentions;
            claims += d[at].claims;
            claimdocs += d[at].claims > 0;
            subs[nsub++] = d[at].submitter;
            if (*d[at].group)
                grps[ngrp++] = d[at].group;
            if (m->have_positions && m->has_score[d[at].doc])
                sc[nsc++] = m->score[d[at].doc];
        }
        nsub = distinct(subs, nsub);
        ngrp = distinct(grps, ngrp);
        /* Linked mechanisms by type, names in id order. */
        for (int t = 0; t < LEX_NMTYPES; t++)
            ig_buf_reset(&names[t]);
        for (; pat < np && pair_issue(m, pv[pat]) == is; pat++) {
            if (!is_linked(m, pv[pat]))
                continue;
            uint32_t me = pair_mech(m, pv[pat]);
            int t = lex_key_group(mx, me);
            if (t < 0 || t >= LEX_NMTYPES)
                continue;
            f.linked[t]++;
            if ((names[t].len && ig_buf_addc(&names[t], ';')) ||
                ig_buf_adds(&names[t], lex_key_name(mx, me))) {
                rc = ig_err_nomem(e, STAGE);
                goto out;
            }
        }
        /* Positions, summed in d's order, which is fixed (F57). */
        double mean = 0, sd = 0;
        f.positioned = (uint32_t)nsc;
        for (size_t i = 0; i < nsc; i++) {
            mean += sc[i];
            f.lean_multilateral += sc[i] <= -m->o.lean;
            f.lean_multistakeholder += sc[i] >= m->o.lean;
        }
        if (nsc) {
            mean /= (double)nsc;
            for (size_t i = 0; i < nsc; i++)
                sd += (sc[i] - mean) * (sc[i] - mean);
            sd = nsc > 1 ? sqrt(sd / (double)(nsc - 1)) : 0;
        }
        char reason[512];
        rc = ig_csv_str(w, lex_key_name(ix, is));
        rc = rc ? rc : ig_csv_str(w, lex_cluster_name(lex_key_group(ix, is)));
        rc = rc ? rc : ig_csv_u64(w, f.documents);
        rc = rc ? rc : ig_csv_u64(w, nsub);
        rc = rc ? rc : ig_csv_u64(w, ngrp);
        rc = rc ? rc : ig_csv_u64(w, mentions);
        rc = rc ? rc : ig_csv_u64(w, claims);
        rc = rc ? rc : ig_csv_u64(w, claimdocs);
        for (int t = 0; t < LEX_NMTYPES && rc == IG_OK; t++)
            rc = ig_csv_u64(w, f.linked[t]);
        for (int t = 0; t < LEX_NMTYPES && rc == IG_OK; t++)
            rc = ig_csv_text(w, names[t].data ? names[t].data : "", names[t].len);
        if (m->have_positions) {
            rc = rc ? rc : ig_csv_u64(w, f.positioned);
            rc = rc ? rc : (nsc ? ig_csv_double(w, mean, 3) : ig_csv_empty(w));
            rc = rc ? rc : (nsc > 1 ? ig_csv_double(w, sd, 3) : ig_csv_empty(w));
            rc = rc ? rc : ig_csv_u64(w, f.lean_multilateral);
            rc = rc ? rc : ig_csv_u64(w, f.lean_multistakeholder);
        } else {
            for (int k = 0; k < 5 && rc == IG_OK; k++)
                rc = ig_csv_empty(w);
        }
        rc = rc ? rc : ig_csv_str(w, map_gap_type_name(map_gap_classify(&f, &m->o)));
        rc = rc ? rc : ig_csv_str(w, map_gap_reason(&f, &m->o, reason, sizeof reason));
        rc = rc ? rc : ig_csv_endrow(w);
    }
out:
    for (int t = 0; t < LEX_NMTYPES; t++)
        ig_buf_free(&names[t]);
    ig_free(d);
    ig_free(subs);
    ig_free(grps);
    ig_free(sc);
    ig_free(pv);
    return rc;
}
