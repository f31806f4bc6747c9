/* interrupt: see interrupt.h. */
#include "interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
static const char *const names[] = {"SIGINT", "SIGTERM", "SIGHUP"};
#define XAV_NSIGNALS ((int)(sizeof(signals) / sizeof(signals[0])))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int running;                 /* copies between begin and end */
static int installed[XAV_NSIGNALS]; /* by us, for the running copies */
static atomic_int caught; /* lock-free: safe in a handler and across threads */

static void note(int sig)
{
    atomic_store(&caught, sig); /* all a handler need do */
}

static int is_default(const struct sigaction *sa)
{
    return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == SIG_DFL;
}

static int is_ours(const struct sigaction *sa)
{
    return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == note;
}

void xav_interrupt_begin(void)
{
    struct sigaction sa, old;
    int i;
    pthread_mutex_lock(&lock);
    if (running++ == 0) {
        atomic_store(&caught, 0);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = note;
        sigemptyset(&sa.sa_mask);
        /* SA_RESTART: a write under way is not cut short by EINTR */
        sa.sa_flags = SA_RESTART | SA_RESETHAND;
        for (i = 0; i < XAV_NSIGNALS; i++)
            installed[i] = sigaction(signals[i], NULL, &old) == 0 &&
                           is_default(&old) &&
                           sigaction(signals[i], &sa, NULL) == 0;
    }
    pthread_mutex_unlock(&lock);
}

int xav_interrupt_caught(void)
{
    return atomic_load(&caught);
}

const char *xav_interrupt_name(int sig)
{
    int i;
    for (i = 0; i < XAV_NSIGNALS; i++)
        if (signals[i] == sig)
            return names[i];
    return "a signal";
}

/* Back to the default, unless the application installed a handler of its
 * own meanwhile. */
static void restore(void)
{
    struct sigaction now, dfl;
    int i;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (i = 0; i < XAV_NSIGNALS; i++)
        if (installed[i] && sigaction(signals[i], NULL, &now) == 0 &&
            is_ours(&now))
            sigaction(signals[i], &dfl, NULL);
}

void xav_interrupt_end(void)
{
    int sig = 0;
    pthread_mutex_lock(&lock);
    if (--running == 0) {
        restore();
        sig = atomic_load(&caught);
    }
    pthread_mutex_unlock(&lock);
    /* to the process, not this thread: this thread may block the signal */
    if (sig != 0)
        kill(getpid(), sig);
}
