"""Start bilingual: the web page at / and the LibreTranslate-compatible REST API, one process.

Listens on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860, loopback only).
"""

from bilingual.server import main

if __name__ == "__main__":
    main()
