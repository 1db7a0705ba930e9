"""Install the add-on zip (legacy add-on) and import the event hub's client as a publish does.

Args: ZIP. Prints RESULT {blender, websocket_file, ft_dcc_file, create_connection, error}.
"""

import json
import sys

import bpy

zip_path = sys.argv[sys.argv.index("--") + 1]
bpy.ops.preferences.addon_install(filepath=zip_path)
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
result = {"blender": bpy.app.version_string, "error": None}
try:
    import ft_dcc
    from ft_dcc.session.event_socket import websocket_module

    websocket = websocket_module()  # EventHubError when websocket-client is missing
    result.update(
        websocket_file=websocket.__file__,
        ft_dcc_file=ft_dcc.__file__,
        create_connection=callable(getattr(websocket, "create_connection", None)),
    )
except Exception as exc:  # reported, not raised: the test shows it
    result["error"] = f"{type(exc).__name__}: {exc}"
print("RESULT " + json.dumps(result), flush=True)
