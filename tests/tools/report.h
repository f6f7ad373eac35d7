/* tests/tools/report.h — what the runner prints for people, after the TAP stream.
 *
 * The score table (every graded run): one row per chapter with a progress bar, exercises
 * done and points, then one row per exercise with its status and points. In the student
 * view each exercise that is done also points to its part of the chapter README, and a
 * last line names the next exercise to work on. All of it is TAP comments ("# ..."), so
 * a TAP reader skips it, and the closing `N passed, N failed` line stays last.
 *
 *     # 01-autoencoder      [####------]  2/5 exercises    3.0 / 10 points
 *     #   1.1  done        1.0 / 1   the encoder f and the decoder g   read chapters/...:126
 *     #   1.3  TODO        0.0 / 3   the backward pass, in the right order
 *     # total               [###-------]  2/5 exercises    3.0 / 10 points
 *
 * `make next` prints the next step instead: the exercise, the line to edit, what its
 * test said, the hint command, and how to run just that chapter or exercise.
 */
#ifndef VAELAB_REPORT_H
#define VAELAB_REPORT_H

#include <stdbool.h>

#include "gradebook.h"
#include "run.h"
#include "terminal.h"

/* The table; `student` adds the README pointers of the exercises that are done. */
void report_score_table(const Gradebook *book, const Run *run, const Style *style, bool student);

/* One line naming the next exercise and where to edit it (after the table, for students). */
void report_next_pointer(const Gradebook *book, const Run *run, const Style *style);

/* `make next`: the chapters' progress and everything about the next exercise. */
void report_next_step(const Gradebook *book, const Run *run, const Style *style);

#endif
