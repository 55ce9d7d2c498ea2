#!/usr/bin/env python3
"""Queue a workflow on a ComfyUI-compatible server (`sdnative serve`, or ComfyUI itself) and save
its images, the way ComfyUI's websocket API example does it:

  1. open ws://SERVER/ws?clientId=<uuid>
  2. POST /prompt {"prompt", "client_id", "prompt_id"}
  3. read events until "executing" with node null for our prompt_id
  4. GET /history/<prompt_id>, then GET /view for each image it lists

Needs the websocket-client package (Debian: python3-websocket) and the standard library.

  python3 examples/comfyui_client.py examples/img2img-seed-guide.json --server 127.0.0.1:8188 --out saved/
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

import websocket


def post_prompt(server, prompt, client_id, prompt_id):
    body = json.dumps({"prompt": prompt, "client_id": client_id, "prompt_id": prompt_id}).encode("utf-8")
    # urllib posts as application/x-www-form-urlencoded, as ComfyUI's example does; the server reads JSON anyway.
    request = urllib.request.Request(f"http://{server}/prompt", data=body)
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise SystemExit(f"the server refused the prompt ({e.code}): {e.read().decode('utf-8', 'replace')}")


def wait_until_done(ws, prompt_id):
    """Reads events until our prompt is done; returns the execution_error data if it failed."""
    error = None
    while True:
        message = ws.recv()
        if not isinstance(message, str):
            continue  # binary frames are previews
        event = json.loads(message)
        data = event.get("data", {})
        if data.get("prompt_id") != prompt_id:
            continue
        if event["type"] in ("execution_error", "execution_interrupted"):
            error = {"type": event["type"], **data}
        if event["type"] == "executing" and data.get("node") is None:
            return error


def get_json(server, path):
    with urllib.request.urlopen(f"http://{server}{path}") as response:
        return json.loads(response.read())


def get_image(server, image):
    query = urllib.parse.urlencode({"filename": image["filename"], "subfolder": image["subfolder"], "type": image["type"]})
    with urllib.request.urlopen(f"http://{server}/view?{query}") as response:
        return response.read()


def main():
    parser = argparse.ArgumentParser(description="Queue a ComfyUI API-format workflow and save its images.")
    parser.add_argument("workflow", help="an API-format workflow (\"Save (API)\") or a /prompt body")
    parser.add_argument("--server", default="127.0.0.1:8188", help="host:port of the server")
    parser.add_argument("--out", default=".", help="folder to save the images in")
    args = parser.parse_args()

    with open(args.workflow, encoding="utf-8") as f:
        workflow = json.load(f)
    # A /prompt body carries the node map under "prompt"; a node map may itself have a node named "prompt".
    body = workflow.get("prompt")
    prompt = body if isinstance(body, dict) and "class_type" not in body else workflow

    client_id = str(uuid.uuid4())
    prompt_id = str(uuid.uuid4())
    ws = websocket.WebSocket()
    ws.connect(f"ws://{args.server}/ws?clientId={client_id}")
    try:
        post_prompt(args.server, prompt, client_id, prompt_id)
        error = wait_until_done(ws, prompt_id)
    finally:
        ws.close()
    if error is not None:
        print(f"{error['type']}: node {error.get('node_id')} ({error.get('node_type')}): {error.get('exception_message', '')}", file=sys.stderr)
        return 1

    history = get_json(args.server, f"/history/{prompt_id}")[prompt_id]
    os.makedirs(args.out, exist_ok=True)
    for node_id, output in history["outputs"].items():
        for image in output.get("images", []):
            path = os.path.join(args.out, image["filename"])
            with open(path, "wb") as f:
                f.write(get_image(args.server, image))
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
