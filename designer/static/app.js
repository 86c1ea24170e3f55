// SCRM designer shell: signs a staff member in through the GraphQL API and shows who
// they are. Plain browser JavaScript, no build step; talks only to /graphql (same origin).
"use strict";

(function () {
  const GRAPHQL_URL = "/graphql";
  // Shared with the GraphiQL page, which pre-fills its Authorization header from it.
  const TOKEN_KEY = "scrm.accessToken";
  const EXPIRES_KEY = "scrm.accessTokenExpiresAt";

  // Scalar variables keep the password out of the query text (and out of query logs).
  const LOGIN = `
    mutation Login($tenant: String!, $email: String!, $password: String!) {
      login(input: {tenant: $tenant, email: $email, password: $password}) {
        accessToken
        expiresAt
      }
    }`;

  const ME = `{ me { name tenant { name } } }`;

  class GraphQLError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code || null;
    }
  }

  function $(id) {
    return document.getElementById(id);
  }

  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY);
    } catch (error) {
      return null;
    }
  }

  function storeToken(token, expiresAt) {
    window.sessionStorage.setItem(TOKEN_KEY, token);
    if (expiresAt) {
      window.sessionStorage.setItem(EXPIRES_KEY, String(expiresAt));
    }
  }

  function clearToken() {
    window.sessionStorage.removeItem(TOKEN_KEY);
    window.sessionStorage.removeItem(EXPIRES_KEY);
  }

  // Runs one GraphQL operation; resolves to `data`, rejects with GraphQLError carrying
  // errors[0].message and errors[0].extensions.code.
  async function graphql(query, variables, token) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    let response;
    try {
      response = await fetch(GRAPHQL_URL, {
        method: "POST",
        headers: headers,
        body: JSON.stringify({ query: query, variables: variables || {} }),
        credentials: "same-origin",
      });
    } catch (error) {
      throw new GraphQLError("Cannot reach the server: " + error.message, "NETWORK_ERROR");
    }
    let body;
    try {
      body = await response.json();
    } catch (error) {
      throw new GraphQLError(
        "Unexpected response from the server (HTTP " + response.status + ")",
        "BAD_RESPONSE"
      );
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      const first = body.errors[0] || {};
      const code = first.extensions ? first.extensions.code : null;
      throw new GraphQLError(first.message || "Request failed", code);
    }
    if (!body.data) {
      throw new GraphQLError("Empty response (HTTP " + response.status + ")", "BAD_RESPONSE");
    }
    return body.data;
  }

  function showError(error) {
    const box = $("login-error");
    box.textContent = error.code ? error.message + " (" + error.code + ")" : error.message;
    box.dataset.code = error.code || "";
    box.hidden = false;
  }

  function clearError() {
    const box = $("login-error");
    box.textContent = "";
    box.dataset.code = "";
    box.hidden = true;
  }

  function showLogin() {
    $("app-view").hidden = true;
    $("sign-out").hidden = true;
    $("login-view").hidden = false;
    $("tenant").focus();
  }

  function showSignedIn(me) {
    const tenantName = me.tenant ? me.tenant.name : "";
    $("whoami").textContent = "Signed in as " + me.name + " (" + tenantName + ")";
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("sign-out").hidden = false;
  }

  async function loadMe(token) {
    const data = await graphql(ME, null, token);
    if (!data.me) {
      throw new GraphQLError("Not signed in", "UNAUTHENTICATED");
    }
    showSignedIn(data.me);
  }

  async function onLogin(event) {
    event.preventDefault();
    clearError();
    const submit = $("login-submit");
    submit.disabled = true;
    try {
      const data = await graphql(LOGIN, {
        tenant: $("tenant").value.trim(),
        email: $("email").value.trim(),
        password: $("password").value,
      });
      storeToken(data.login.accessToken, data.login.expiresAt);
      $("password").value = "";
      await loadMe(data.login.accessToken);
    } catch (error) {
      clearToken();
      showError(error);
    } finally {
      submit.disabled = false;
    }
  }

  function onSignOut() {
    clearToken();
    $("whoami").textContent = "";
    showLogin();
  }

  async function start() {
    $("login-form").addEventListener("submit", onLogin);
    $("sign-out").addEventListener("click", onSignOut);
    const token = storedToken();
    if (!token) {
      showLogin();
      return;
    }
    try {
      await loadMe(token);
    } catch (error) {
      clearToken();
      showLogin();
      if (error.code !== "UNAUTHENTICATED") {
        showError(error);
      }
    }
  }

  start();
})();
