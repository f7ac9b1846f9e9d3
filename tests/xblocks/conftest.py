"""Blocks on the xblock-sdk workbench runtime as the demo runs it, acting for a Django user (as the LMS's
user service names them), with published events captured."""

import json
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from webob import Request

from temis_plugin.standalone.workbench import SignedInRuntime


class BlockHarness:
    """A block rendered and called in one language (English unless a test asks for Vietnamese)."""

    def __init__(self, olx, username, language="en"):
        self.language = language
        self.runtime = SignedInRuntime(get_user_model().objects.get(username=username))
        usage_id = self.runtime.parse_xml_string(olx)
        self.block = self.runtime.get_block(usage_id)
        self.events = []
        self.runtime.publish = mock.MagicMock(side_effect=lambda block, name, data: self.events.append((name, data)))

    def json(self, handler, payload):
        request = Request.blank(
            "/", method="POST", body=json.dumps(payload).encode("utf-8"), content_type="application/json"
        )
        with translation.override(self.language):
            response = self.block.handle(handler, request)
        return response.status_code, json.loads(response.body or b"null")

    def upload(self, handler, fields, file=None):
        post = dict(fields)
        if file is not None:
            post["file"] = file  # (filename, content) tuple: webob builds the multipart body
        request = Request.blank("/", POST=post)
        with translation.override(self.language):
            response = self.block.handle(handler, request)
        return response.status_code, json.loads(response.body or b"null")

    def html(self):
        with translation.override(self.language):
            return self.block.render("student_view", {}).content


@pytest.fixture
def harness():
    return BlockHarness
