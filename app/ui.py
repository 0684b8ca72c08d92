"""Small DOM helpers shared by every page (browser only)."""
import traceback

import js
from pyodide.ffi import create_proxy

# Proxies handed to JS live as long as the page; keeping them here stops them being collected.
_listeners = []


def element(element_id):
    found = js.document.getElementById(element_id)
    if found is None:
        raise LookupError(f"no element with id {element_id!r}")
    return found


def set_text(element_id, text):
    element(element_id).textContent = str(text)


def on(target, event, handler):
    proxy = create_proxy(handler)
    _listeners.append(proxy)
    target.addEventListener(event, proxy)
    return proxy


def ready():
    js.backpropLab.ready()


def fail(message):
    js.backpropLab.fail(message)


def start(main):
    """Run a page's main(); any exception becomes the loader's readable error."""
    try:
        main()
    except Exception as error:  # noqa: BLE001 - shown to the learner, and logged in full
        traceback.print_exc()
        fail(f"{type(error).__name__}: {error}")
