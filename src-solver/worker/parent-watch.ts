/**
 * How a worker process knows that its parent is gone, whatever started it: `child_process.fork`
 * (an IPC channel that closes with the parent) or an Electron utility process (`process.parentPort`
 * has no close event, so only the process table tells). The parent counts as gone when
 * - the IPC channel it was started with has closed, or
 * - this process has been re-parented (`process.ppid` — read anew at every call — is no longer
 *   the pid it had at start: the parent died and init or a subreaper adopted us), or
 * - the parent's pid no longer exists.
 * A stopped process (SIGSTOP) runs no code at all: it checks again the moment it is continued
 * (SIGCONT), and the supervisor kills it by pid with SIGKILL, which a stopped process cannot defer.
 */

/** What the watch reads about the process it runs in (tests substitute their own). */
export interface ParentProbe {
  /** The parent's pid when the worker started. */
  readonly parentPid: number;
  /** The parent's pid now. */
  ppid(): number;
  /** Whether a process with this pid exists. */
  exists(pid: number): boolean;
  /** Whether the worker was started with an IPC channel (fork) and it is still open; null without one. */
  channelOpen(): boolean | null;
}

/** The reason the parent counts as gone, or null while it is there. */
export function parentGone(probe: ParentProbe): string | null {
  if (probe.channelOpen() === false) return 'the IPC channel to the parent closed';
  const now = probe.ppid();
  if (now !== probe.parentPid) return `re-parented (parent ${probe.parentPid}, now ${now})`;
  if (!probe.exists(probe.parentPid)) return `the parent (pid ${probe.parentPid}) is gone`;
  return null;
}

/** Whether a process with this pid exists (signal 0 probes; EPERM: it exists but is another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The probe of this process: an IPC channel when started by fork (no parentPort), the process table otherwise. */
export function processParentProbe(hasParentPort: boolean): ParentProbe {
  const forked = !hasParentPort && typeof process.send === 'function';
  return {
    parentPid: process.ppid,
    ppid: () => process.ppid,
    exists: processExists,
    channelOpen: () => (forked ? process.connected : null),
  };
}

/**
 * Call `onGone` (once) when the parent goes: every `intervalMs` (an unref'd timer, so the watch
 * never keeps the process alive), on SIGCONT, on 'disconnect', and whenever `check()` is called
 * (the worker calls it before it posts, so a long solve notices between iterations).
 */
export function watchParent(
  probe: ParentProbe,
  onGone: (reason: string) => void,
  intervalMs = 1000,
): { check(): boolean; stop(): void } {
  let fired = false;
  const check = (): boolean => {
    if (fired) return false;
    const why = parentGone(probe);
    if (why === null) return true;
    fired = true;
    onGone(why);
    return false;
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  const onSignal = () => void check();
  process.on('disconnect', onSignal);
  // Continued after a stop: the parent may have gone meanwhile.
  if (process.platform !== 'win32') process.on('SIGCONT', onSignal);
  return {
    check,
    stop() {
      clearInterval(timer);
      process.off('disconnect', onSignal);
      if (process.platform !== 'win32') process.off('SIGCONT', onSignal);
    },
  };
}
