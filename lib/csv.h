/* lib/csv.h — a training log as a CSV file, one row per epoch.
 *
 * The rows are written as they come (and flushed, so `tail -f path.tmp.*` can follow a
 * long run), but into OutFile's temporary name: the file appears under its real name
 * only at csv_close(), complete.  A run that fails half-way calls csv_abort() and
 * leaves no log that looks finished but is not.
 *
 *     CsvLog log;
 *     const char *columns[] = { "epoch", "train_loss", "test_loss" };
 *     if (!csv_open(&log, "build/loss.csv", columns, 3, err)) return false;
 *     for (...) csv_row(&log, (double[]){ epoch, train, test });
 *     return csv_close(&log, err);
 */
#ifndef VAELAB_CSV_H
#define VAELAB_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "outfile.h"

typedef struct CsvLog {
    OutFile file;
    size_t column_count;
} CsvLog;

/* Start a log at `path` and write its header line: the column names, comma-separated
 * (a name holding a comma, quote or line break is quoted, as RFC 4180 says). */
bool csv_open(CsvLog *log, const char *path, const char *const *columns, size_t column_count,
              Error *err);

/* Append one row of column_count numbers, each as %.10g (NaN and inf print as nan, inf).
 * A write error stays recorded in the stream: csv_close() reports it, with the file's
 * name, and removes the unfinished file, so callers need not check every row. After
 * csv_abort() it does nothing.    values (column_count) */
void csv_row(CsvLog *log, const double *values);

/* Finish: flush, check every write, and move the file to its real name. */
bool csv_close(CsvLog *log, Error *err);

/* Give up: remove the temporary file; safe after csv_close() or a failed csv_open(). */
void csv_abort(CsvLog *log);

#endif
