"""``myograph serve``: the electromyograph in the browser.

FastAPI + uvicorn + websockets on the server, one static page (plain JS,
canvas, WebAudio) in the browser, samples as binary frames. See
``docs/server.md`` for the page, the frame format and the security rules.

Needs the ``[web]`` extra (``pip install 'myograph[web]'``).
"""

from myograph.apps.server.app import create_app
from myograph.apps.server.stream import FRAME_AUDIO, FRAME_LEVELS, FRAME_SAMPLES, Frame, decode_frame, encode_frame

__all__ = ["create_app", "encode_frame", "decode_frame", "Frame", "FRAME_SAMPLES", "FRAME_LEVELS", "FRAME_AUDIO"]
