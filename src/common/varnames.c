/* varnames: see varnames.h. */
#include "varnames.h"

#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_hash_set.h"
#include "cpl_string.h"

typedef struct {
    const char *name;
    int index;
} entry;

/* By name, then by index: equal names come out in their own order. */
static int by_name(const void *a, const void *b)
{
    const entry *x = (const entry *)a, *y = (const entry *)b;
    const int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* For each name, how many share it (counts) and which of them it is, from 1
 * in list order (nth); either may be NULL. n log n: a dataset may have
 * 10^6 variables. */
static void name_runs(char *const *names, int n, int *counts, int *nth)
{
    entry *e = (entry *)CPLMalloc(sizeof(entry) * (n + 1));
    int i, j, k;
    for (i = 0; i < n; i++) {
        e[i].name = names[i];
        e[i].index = i;
    }
    qsort(e, n, sizeof(entry), by_name);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(e[i].name, e[j].name) == 0; j++)
            ;
        for (k = i; k < j; k++) {
            if (counts != NULL)
                counts[e[k].index] = j - i;
            if (nth != NULL)
                nth[e[k].index] = k - i + 1;
        }
    }
    CPLFree(e);
}

int *xav_name_counts(char *const *names, int n)
{
    int *counts = (int *)CPLMalloc(sizeof(int) * (n + 1));
    name_runs(names, n, counts, NULL);
    return counts;
}

/* Inserts a copy of name into the set of names taken; 0 if it was. */
static int take(CPLHashSet *taken, const char *name)
{
    if (CPLHashSetLookup(taken, name) != NULL)
        return 0;
    CPLHashSetInsert(taken, CPLStrdup(name));
    return 1;
}

/* NAME_k, or longer while taken. */
static char *free_name(CPLHashSet *taken, const char *name, int k)
{
    char *out = CPLStrdup(CPLSPrintf("%s_%d", name, k));
    while (!take(taken, out)) {
        char *longer = CPLStrdup(CPLSPrintf("%s_", out));
        CPLFree(out);
        out = longer;
    }
    return out;
}

int xav_unique_variable_names(xav_desc *d)
{
    char **names = (char **)CPLMalloc(sizeof(char *) * (d->nvars + 1));
    int *counts = (int *)CPLMalloc(sizeof(int) * (d->nvars + 1));
    int *nth = (int *)CPLMalloc(sizeof(int) * (d->nvars + 1));
    CPLHashSet *taken =
        CPLHashSetNew(CPLHashSetHashStr, CPLHashSetEqualStr, CPLFree);
    int v, renamed = 0;
    for (v = 0; v < d->nvars; v++)
        names[v] = d->vars[v].name;
    name_runs(names, d->nvars, counts, nth);
    /* names nobody shares stay as they are: reserved first */
    for (v = 0; v < d->nvars; v++)
        if (counts[v] == 1)
            take(taken, names[v]);
    for (v = 0; v < d->nvars; v++)
        if (counts[v] > 1) {
            d->vars[v].name = free_name(taken, names[v], nth[v]);
            CPLFree(names[v]);
            renamed++;
        }
    CPLHashSetDestroy(taken);
    CPLFree(nth);
    CPLFree(counts);
    CPLFree(names);
    return renamed;
}
