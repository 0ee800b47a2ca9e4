/*
** src/io/rules_read.h: reads back the rules of a `retain rules -o
** RULES.h5` file (layout in rules_write.h) for recommendations: item
** labels, antecedents, consequents and one measure as the score. Every
** offset and index is checked, since the file may be damaged.
*/
#ifndef RT_IO_RULES_READ_H
#define RT_IO_RULES_READ_H

#include "retain.h"

#include "io/strmap.h"
#include "rules/rules.h"

typedef struct rt_rules_file {
    rt_rule_table table;
    rt_strmap labels; /* item label -> item index (the order of /items) */
} rt_rules_file;

retain_status rt_rules_file_read(const char *path, rt_rule_metric score, rt_rules_file *out);
void rt_rules_file_free(rt_rules_file *f);

#endif
