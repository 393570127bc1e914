// The API page: Swagger UI (served from the swagger-ui-py package) reading
// /rest/openapi.json.  A signed-in browser's writes carry the session's CSRF
// token, as the forge's forms do; a token typed in "Authorize" is sent as Bearer.
(function () {
  var holder = document.getElementById("swagger-ui");
  var csrf = holder.getAttribute("data-csrf-token");
  window.ui = SwaggerUIBundle({
    url: holder.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    requestInterceptor: function (request) {
      if (csrf && request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRF-Token"] = csrf;
      }
      return request;
    }
  });
})();
