"""Read an event stream in tests: the WSGI response iterator consumed in a background thread."""

import queue
import threading
import time


class StreamReader:
    """Collects what a streaming response sends; `wait_for` blocks until some text arrives."""

    def __init__(self, response):
        self.response = response
        self.text = ""
        self._chunks = queue.Queue()
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        # Like a server whose client went away: the next chunk is not delivered, the response is
        # closed (in this thread, as a server closes it after a failed write).
        try:
            for chunk in self.response.response:
                if self._stop.is_set():
                    break
                self._chunks.put(chunk.decode() if isinstance(chunk, bytes) else chunk)
        finally:
            self.response.close()
            self.ended.set()

    def _drain(self, timeout):
        try:
            self.text += self._chunks.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            try:
                self.text += self._chunks.get_nowait()
            except queue.Empty:
                return

    def wait_for(self, needle, timeout=5.0):
        """Everything received so far, once it contains `needle` (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{needle!r} not received within {timeout}s; got {self.text!r}")
            self._drain(min(remaining, 0.1))
        return self.text

    def settle(self, seconds=0.5):
        """Whatever arrives in the next `seconds`."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._drain(min(remaining, 0.1))
        return self.text

    def close(self, timeout=None):
        """Disconnect: the stream notices at its next write (a keep-alive at the latest)."""
        self._stop.set()
        if timeout is not None:
            self.ended.wait(timeout)


def stop_event_hub_at_end():
    """A module fixture body: stop the in-process event hub before the test Redis stops."""
    from soulseer.services.core import events

    yield
    events.stop_hub()
