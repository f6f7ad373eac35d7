/* lib/csv.c — see csv.h. */
#include "csv.h"

#include <stdio.h>
#include <string.h>

/* Write one header field, quoted (with inner quotes doubled) only when it needs it. */
static void write_field(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

bool csv_open(CsvLog *log, const char *path, const char *const *columns, size_t column_count,
              Error *err)
{
    log->column_count = column_count;
    log->file.stream = NULL; /* so that csv_abort() is safe whatever happens next */
    log->file.temp_path[0] = '\0';
    if (column_count == 0)
        return error_set(err, "%s: a CSV log needs at least one column", path);
    if (!outfile_open(&log->file, path, err))
        return false;
    for (size_t c = 0; c < column_count; c++) {
        if (c > 0)
            fputc(',', log->file.stream);
        write_field(log->file.stream, columns[c]);
    }
    fputc('\n', log->file.stream);
    return true;
}

void csv_row(CsvLog *log, const double *values)
{
    FILE *out = log->file.stream;
    if (!out)
        return;
    for (size_t c = 0; c < log->column_count; c++)
        fprintf(out, c > 0 ? ",%.10g" : "%.10g", values[c]);
    fputc('\n', out);
    /* Flushing every row costs nothing at one row per epoch and lets a reader follow along. */
    fflush(out);
}

bool csv_close(CsvLog *log, Error *err)
{
    return outfile_commit(&log->file, err);
}

void csv_abort(CsvLog *log)
{
    outfile_abort(&log->file);
}
