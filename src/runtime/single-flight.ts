// Single flight with at most one queued follow-up: a call while a run is in progress joins the
// one follow-up (its options merged: the latest reason, force if any caller forced), which starts
// when the run ends. Bursts of triggers therefore cost at most two runs, and the last word wins.
export interface FlightOptions {
  reason: string;
  force?: boolean;
}

export function singleFlight<T>(
  run: (reason: string, force: boolean) => Promise<T>,
): (options: FlightOptions) => Promise<T> {
  let running: Promise<T> | undefined;
  let followUp: { reason: string; force: boolean; promise: Promise<T> } | undefined;

  const start = (reason: string, force: boolean): Promise<T> => {
    const current = run(reason, force).finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };

  return (options) => {
    const force = options.force ?? false;
    if (!running) return start(options.reason, force);
    if (followUp) {
      followUp.force ||= force;
      followUp.reason = options.reason;
      return followUp.promise;
    }
    const queued = { reason: options.reason, force, promise: undefined as unknown as Promise<T> };
    queued.promise = running
      .catch(() => undefined)
      .then(() => {
        followUp = undefined;
        return start(queued.reason, queued.force);
      });
    followUp = queued;
    return queued.promise;
  };
}
