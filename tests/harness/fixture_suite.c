/* tests/harness/fixture_suite.c — a suite whose tests misbehave on purpose.
 *
 * Not a test of vaelab: the harness's own suite (test_harness.c) runs this binary and
 * checks that each misbehaviour is reported as its own failure while the tests after it
 * still run. Its name does not start with test_, so `make test` never runs it directly.
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "exercise.h"
#include "harness.h"

static void passes(void) { CHECK_NEAR(2.0, 1.0 + 1.0, 1e-12); }

static void segfaults(void)
{
    raise(SIGSEGV); /* what a NULL dereference ends in, without undefined behaviour here */
}

static void loops_forever(void)
{
    volatile unsigned long spin = 0;
    for (;;)
        spin++;
}

static void calls_exit(void) { exit(0); }

static void returns_nan(void) { CHECK_NEAR(0.5, NAN, 1e-9); }

static double stub_of_exercise_9_1(void)
{
    exercise_not_implemented("9.1", __func__);
    return NAN;
}

static void hits_a_stub(void) { CHECK_NEAR(1.0, stub_of_exercise_9_1(), 1e-9); }

static void hits_a_stub_then_crashes(void)
{
    exercise_not_implemented("9.2", __func__);
    raise(SIGSEGV); /* what using a stub's wrong value can end in */
}

static void checks_nothing(void) {}

static void prints_a_flood(void)
{
    for (int i = 0; i < 10000; i++)
        printf("flood line %d\n", i);
    CHECK(0 == 1);
}

static void leaks(void)
{
    void *volatile lost = malloc(100);
    lost = NULL;
    CHECK(lost == NULL);
}

/* Processes that must not outlive their test append their pid to the file named by
 * $VAELAB_FIXTURE_PIDS; test_harness.c checks that none of them is still alive. */
static void record_pid(void)
{
    const char *path = getenv("VAELAB_FIXTURE_PIDS");
    FILE *file = path ? fopen(path, "a") : NULL;
    if (file) {
        fprintf(file, "%ld\n", (long)getpid());
        fclose(file);
    }
}

/* A program the test runs loops: the test waits for it, and is killed at its limit. */
static void spawns_a_program_that_loops(void)
{
    char output[64];
    test_run_command("echo $$ >> \"$VAELAB_FIXTURE_PIDS\"; while :; do sleep 1; done", output, sizeof output);
    CHECK(0 == 1);
}

static void loops_ignoring_signals(void)
{
    signal(SIGTERM, SIG_IGN);
    signal(SIGALRM, SIG_IGN);
    record_pid();
    for (;;)
        sleep(1);
}

/* The test passes as soon as its `strays` processes have recorded their pids (each
 * writes a byte into `ready`), leaving them to sleep for 40 s. */
static void pass_once_recorded(int ready[2], int strays)
{
    char byte;
    close(ready[1]);
    for (int k = 0; k < strays; k++)
        CHECK(read(ready[0], &byte, 1) == 1);
    close(ready[0]);
}

static void stray_sleeps(int ready[2])
{
    record_pid();
    if (write(ready[1], "r", 1) != 1)
        _exit(1);
    sleep(40);
    _exit(0);
}

static void forks_a_child(void)
{
    int ready[2];
    if (!CHECK(pipe(ready) == 0))
        return;
    if (fork() == 0)
        stray_sleeps(ready);
    pass_once_recorded(ready, 1);
}

/* The same, with the child in a session of its own, and a grandchild in it. */
static void forks_a_child_that_calls_setsid(void)
{
    int ready[2];
    if (!CHECK(pipe(ready) == 0))
        return;
    if (fork() == 0) {
        setsid();
        fork();
        stray_sleeps(ready);
    }
    pass_once_recorded(ready, 2);
}

static void writes_in_its_working_folder(void)
{
    FILE *file = fopen("stray-file.txt", "w");
    CHECK(file != NULL);
    if (file)
        fclose(file);
}

static void allocates_4_gib(void)
{
    void *volatile block = malloc((size_t)4 << 30);
    CHECK(block != NULL);
    free(block);
}

/* One byte at 300 MiB: past the file-size limit, without writing 300 MiB. */
static void writes_past_the_file_size_limit(void)
{
    int fd = open("big-file", O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && lseek(fd, (off_t)300 << 20, SEEK_SET) > 0 && write(fd, "x", 1) == 1);
    if (fd >= 0)
        close(fd);
}

static const TestCase tests[] = {
    { "passes", NULL, passes },
    { "segfaults", NULL, segfaults },
    { "loops forever", NULL, loops_forever },
    { "calls exit(0)", NULL, calls_exit },
    { "returns NaN", NULL, returns_nan },
    { "hits a stub", "9.1", hits_a_stub },
    { "hits a stub, then crashes", "9.2", hits_a_stub_then_crashes },
    { "checks nothing", NULL, checks_nothing },
    { "prints a flood", NULL, prints_a_flood },
    { "leaks (caught only under Valgrind)", NULL, leaks },
    { "spawns a program that loops", NULL, spawns_a_program_that_loops },
    { "loops with SIGTERM and SIGALRM ignored", NULL, loops_ignoring_signals },
    { "forks a child that outlives it", NULL, forks_a_child },
    { "forks a child that calls setsid", NULL, forks_a_child_that_calls_setsid },
    { "writes a file in its working folder", NULL, writes_in_its_working_folder },
    { "allocates 4 GiB", NULL, allocates_4_gib },
    { "writes past the file-size limit", NULL, writes_past_the_file_size_limit },
    { "passes after all that", NULL, passes },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("harness fixtures", tests, argc, argv);
}
