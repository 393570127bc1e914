"""The OpenAPI paths and schemas of an artifact's ``@@comments``,
``@@attachments``, ``@@history`` and ``@@acl`` (``forge.rest.threads``), merged into the
document ``forge.rest.openapi`` builds."""

STRING = {"type": "string"}
IF_MATCH_ACL = {"name": "If-Match", "in": "header", "required": False,
                "schema": {"type": "string"},
                "description": "The ETag of @@acl (required: 428 without it)."}
NULLABLE = {"type": ["string", "null"]}


def thread_schemas():
    return {
        "Comment": {"type": "object", "required": ["id", "placeholder"], "properties": {
            "id": STRING, "parent_id": NULLABLE, "placeholder": {"type": "boolean"},
            "author": NULLABLE, "text": STRING,
            "status": {"type": "string", "enum": ["ok", "pending", "spam"]},
            "version": {"type": "integer"}, "created": NULLABLE, "modified": NULLABLE,
            "attachments": {"type": "array", "items": {"type": "object", "properties": {
                "id": STRING, "filename": STRING, "content_type": STRING,
                "length": {"type": "integer"}, "url": STRING}}}}},
        "CommentCreate": {"type": "object", "additionalProperties": False,
                          "required": ["text"], "properties": {
                              "text": {"type": "string", "minLength": 1},
                              "parent_id": STRING}},
        "Version": {"type": "object", "required": ["version", "data"], "properties": {
            "version": {"type": "integer"}, "author": NULLABLE, "timestamp": NULLABLE,
            "comment": STRING, "data": {"type": "object"}}},
        "Attachment": {"type": "object", "required": ["id", "filename", "download_url"],
                       "properties": {"id": STRING, "filename": STRING, "content_type": STRING,
                                      "length": {"type": "integer"}, "created": NULLABLE,
                                      "author": NULLABLE, "download_url": STRING}},
        "AclChange": {"type": "object", "additionalProperties": False, "required": ["op"],
                      "properties": {
                          "op": {"type": "string", "enum": ["add", "remove", "privacy"]},
                          "access": {"type": "string", "enum": ["allow", "deny"]},
                          "principal": STRING, "username": STRING, "permission": STRING,
                          "index": {"type": "integer"}, "private": {"type": "boolean"},
                          "readers": {"type": "array", "items": STRING}}},
        "Acl": {"type": "object", "required": ["entries"], "properties": {
            "url": STRING, "private": {"type": "boolean"},
            "entries": {"type": "array", "items": {"type": "object", "properties": {
                "access": {"type": "string", "enum": ["allow", "deny"]},
                "principal": STRING, "label": STRING, "permission": STRING,
                "inherited_from": NULLABLE,
                "index": {"type": ["integer", "null"]}}}}}},
    }


def thread_paths(tree, params, list_params, op, responses, ref, page, read_errors,
                 write_errors):
    """``tree``: the artifact path template; ``params``: its path parameters;
    the rest are ``forge.rest.openapi``'s helpers."""
    return {
        tree + "/@@comments": {
            "get": op("listComments", "Its comments, in thread order", "comments",
                      responses("A page", read_errors, page(ref("Comment"))),
                      params + list_params),
            "post": op("postComment", "Post a comment (or a reply: parent_id)", "comments",
                       responses("Posted (status: ok, or pending for a moderator)",
                                 write_errors, ref("Comment"), "201"),
                       params, ref("CommentCreate"))},
        tree + "/@@history": {
            "get": op("listVersions", "Every version, newest first", "history",
                      responses("A page", read_errors, page(ref("Version"))),
                      params + list_params)},
        tree + "/@@attachments": {
            "get": op("listAttachments", "Its own files (download_url: the bytes)",
                      "attachments", responses("Its files", read_errors,
                                               page(ref("Attachment"))), params),
            "post": dict(op("uploadAttachments", "Attach files, as the page's form does",
                            "attachments", responses("Attached", write_errors,
                                                     page(ref("Attachment")), "201"),
                            params),
                         requestBody={"required": True, "content": {"multipart/form-data": {
                             "schema": {"type": "object", "required": ["attachment"],
                                        "properties": {"attachment": {
                                            "type": "array", "items": {
                                                "type": "string",
                                                "contentMediaType":
                                                    "application/octet-stream"}}}}}}})},
        tree + "/@@acl": {
            "get": op("getAcl", "The ACL entries along its lineage (admins)", "permissions",
                      responses("The entries", read_errors + ("403",), ref("Acl")),
                      params),
            "post": op("changeAcl", "One change, as the permissions page makes it "
                                    "(If-Match: the ETag of @@acl)", "permissions",
                       responses("The entries after the change", write_errors, ref("Acl")),
                       params + [IF_MATCH_ACL], ref("AclChange"))},
    }
