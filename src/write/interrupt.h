/*
 * interrupt: a copy stopped by SIGINT, SIGTERM or SIGHUP cleans up like one
 * the user stops through the progress callback. GDAL's tools install no
 * handler, so these signals killed gdal_translate mid-write and left the
 * copy's .xavpart files behind.
 *
 * While copies run, a handler is installed for each of these signals whose
 * disposition is the default, and only for those: an application's own
 * handler (Python's for SIGINT, say) or its SIG_IGN is never replaced. The
 * handler only notes the signal; the copy sees it at its next progress
 * report (a frame, at most), stops and removes its files. Then the default
 * disposition is restored and the signal raised again, so that the process
 * dies of it as it would have without us. A second signal kills at once
 * (SA_RESETHAND): the way out of a stop that takes too long. SIGKILL cannot
 * be caught: the next copy to the same name removes what it left.
 * Copies in several threads share the handlers; the last to end restores
 * them and raises the signal.
 */
#ifndef XAV_INTERRUPT_H
#define XAV_INTERRUPT_H

/* A copy starts: installs the handlers where the dispositions are the
 * default (the first copy running only). */
void xav_interrupt_begin(void);
/* The signal caught since the first running copy began, or 0. */
int xav_interrupt_caught(void);
/* The name of a signal of ours ("SIGINT"). */
const char *xav_interrupt_name(int sig);
/* A copy ends (after removing its files, if it stopped): the last one
 * running restores the dispositions and, if a signal was caught, raises it
 * again, which normally ends the process. */
void xav_interrupt_end(void);

#endif /* XAV_INTERRUPT_H */
