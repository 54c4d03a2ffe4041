"""Start the bilingual web app: python app.py

Listens on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860, loopback only).
"""

from bilingual.ui.server import main

if __name__ == "__main__":
    main()
