"""Handlers of the Files API: upload (multipart with purpose), list, retrieve, delete, content."""

from __future__ import annotations

import time

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from conformance.reference import files
from conformance.reference.config import ServerConfig
from conformance.reference.errors import ApiError, bad_request
from conformance.reference.items import new_id
from conformance.reference.store import Store


class FilesApi:
    """The file endpoints over one store."""

    def __init__(self, config: ServerConfig, store: Store) -> None:
        self.config = config
        self.store = store

    def _missing(self, fid: str) -> ApiError:
        return ApiError(404, f"No such File object: {fid}", param="id")

    async def collection(self, request: Request) -> Response:
        """GET /files (list) and POST /files (multipart upload)."""
        if request.method == "GET":
            listed = self.store.list_files()
            return JSONResponse({"object": "list", "data": listed, "has_more": False})
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > self.config.max_body_bytes:
            raise ApiError(413, "The uploaded file is too large.", code="request_too_large")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise bad_request("Uploads must be multipart/form-data with 'file' and 'purpose'.", "file")
        try:
            form = await request.form(max_part_size=self.config.max_body_bytes)
        except Exception as exc:  # multipart parse errors come in several types
            raise bad_request(f"The multipart body could not be parsed: {exc}", "file") from None
        upload, purpose = form.get("file"), form.get("purpose")
        if not isinstance(purpose, str) or not purpose:
            raise bad_request("Missing required parameter: 'purpose'.", "purpose", "missing_required_parameter")
        if not isinstance(upload, UploadFile):
            raise bad_request("Missing required parameter: 'file'.", "file", "missing_required_parameter")
        try:
            files.check_purpose(self.config.flavor, purpose)
        except files.FileInputError as exc:
            raise bad_request(exc.message, exc.param or "purpose", exc.code) from None
        data = await upload.read()
        meta = {
            "id": new_id("file", sep="-"),
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": upload.filename or "upload",
            "purpose": purpose,
            "status": "processed",
            "status_details": None,
            "expires_at": None,
        }
        self.store.put_file(meta, data)
        return JSONResponse(meta)

    async def item(self, request: Request) -> Response:
        """GET /files/{id} and DELETE /files/{id}."""
        fid = request.path_params["fid"]
        if request.method == "DELETE":
            if not self.store.delete_file(fid):
                raise self._missing(fid)
            return JSONResponse({"id": fid, "object": "file", "deleted": True})
        meta = self.store.get_file(fid)
        if meta is None:
            raise self._missing(fid)
        return JSONResponse(meta)

    async def content(self, request: Request) -> Response:
        """GET /files/{id}/content."""
        fid = request.path_params["fid"]
        data = self.store.file_data(fid)
        if data is None:
            raise self._missing(fid)
        return Response(data, media_type="application/octet-stream")
