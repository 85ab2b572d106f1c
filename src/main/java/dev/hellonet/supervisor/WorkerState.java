package dev.hellonet.supervisor;

/** Where one worker slot of the supervisor is in its life, as reported in the status. */
public enum WorkerState {
  /** The JVM has been launched; it is starting or serving. */
  RUNNING,
  /** The worker exited and the supervisor waits out the back-off before starting it again. */
  BACKING_OFF,
  /** The supervisor is stopping and has sent the worker SIGTERM. */
  STOPPING,
  /** The worker has exited and will not be started again. */
  STOPPED
}
