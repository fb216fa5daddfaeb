/* The flow designer: renders the draft node tree as a chain of cards and edits it.
 *
 * The tree is kept in exactly the engine's dict format
 * (zhiban.workflow.engine.definitions.node_to_dict / definition_to_dict) and posted
 * back whole as JSON. No inline script: the data comes in the json_script block
 * #fd-data; texts come translated in data.texts.
 */
(function () {
  "use strict";

  var dataNode = document.getElementById("fd-data");
  var canvas = document.getElementById("fd-canvas");
  var panel = document.getElementById("fd-panel");
  if (!dataNode || !canvas || !panel) return;

  var data = JSON.parse(dataNode.textContent);
  var T = data.texts;
  var def = data.definition;
  var form = Array.isArray(data.form) ? data.form : [];
  var roles = data.roles || [];
  var people = data.people || {};
  var readonly = !!data.readonly;
  var messagesBox = document.getElementById("fd-messages");
  var dirtyBadge = document.querySelector(".fd-dirty");

  var selected = null; // id of the selected node or branch
  var problems = {}; // id -> [messages]
  var dryRun = null; // node id -> step
  var dryPanelOpen = false;
  var dryValues = {};
  var dryInitiator = null; // {id, name}

  if (!Array.isArray(def.nodes)) def.nodes = [];

  // --- helpers -------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "class") node.className = value;
        else if (key === "text") node.textContent = value;
        else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(name) {
    return el("i", { class: "bi " + name, "aria-hidden": "true" });
  }

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  function allIds() {
    var ids = {};
    function walk(nodes) {
      nodes.forEach(function (node) {
        ids[node.id] = true;
        (node.branches || []).forEach(function (branch) {
          ids[branch.id] = true;
          walk(branch.nodes || []);
        });
      });
    }
    walk(def.nodes);
    return ids;
  }

  // Return an id unused in the tree (and not among the reserved ones).
  function newId(prefix, reserved) {
    var ids = allIds();
    (reserved || []).forEach(function (id) {
      ids[id] = true;
    });
    var n = 1;
    while (ids[prefix + n]) n += 1;
    return prefix + n;
  }

  // Find a node or branch by id: {item, list, index, owner, isBranch}.
  function find(id) {
    var found = null;
    function walk(nodes, owner) {
      nodes.forEach(function (node, index) {
        if (found) return;
        if (node.id === id) {
          found = { item: node, list: nodes, index: index, owner: owner, isBranch: false };
          return;
        }
        (node.branches || []).forEach(function (branch, bIndex) {
          if (found) return;
          if (branch.id === id) {
            found = { item: branch, list: node.branches, index: bIndex, owner: node, isBranch: true };
            return;
          }
          walk(branch.nodes || [], node);
        });
      });
    }
    walk(def.nodes, null);
    return found;
  }

  function fieldByKey(key) {
    for (var i = 0; i < form.length; i += 1) if (form[i].key === key) return form[i];
    return null;
  }

  function personName(id) {
    return people[id] || "#" + id;
  }

  function roleLabel(value) {
    for (var i = 0; i < roles.length; i += 1) if (roles[i].value === value) return roles[i].label;
    return value;
  }

  function markDirty() {
    if (dirtyBadge) dirtyBadge.classList.remove("d-none");
    dryRun = null;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (_e) {
      return "";
    }
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return { ok: false, errors: [T.failed] };
        })
        .then(function (body) {
          body.status = response.status;
          return body;
        });
    });
  }

  function say(kind, text, list) {
    messagesBox.textContent = "";
    var box = el("div", { class: "alert alert-" + kind + " py-2", role: "alert", "data-testid": "fd-message" }, [text]);
    if (list && list.length) {
      var ul = el("ul", { class: "mb-0 mt-1 fd-problem-list" });
      list.forEach(function (problem) {
        var li = el("li", {}, []);
        if (problem.node_id && find(problem.node_id)) {
          li.appendChild(
            el("a", {
              href: "#",
              text: problem.message,
              onclick: function (event) {
                event.preventDefault();
                select(problem.node_id, true);
              },
            })
          );
        } else {
          li.textContent = problem.node_id ? problem.message : T.settings_problem + ": " + problem.message;
        }
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    messagesBox.appendChild(box);
  }

  // --- summaries ---------------------------------------------------------------------

  function assigneeSummary(spec) {
    spec = spec || {};
    switch (spec.kind) {
      case "users":
        if (!spec.users || !spec.users.length) return "";
        return spec.users.map(personName).join("、");
      case "role":
        return spec.role ? roleLabel(spec.role) : "";
      case "department_head":
        return T.dept_head_short;
      case "levels_up":
        return fmt(T.levels_n, { n: spec.levels || 1 });
      case "overseeing_leader":
        return T.overseeing_short;
      case "initiator_pick":
        return T.pick_short;
      case "form_field":
        if (!spec.field) return "";
        var field = fieldByKey(spec.field);
        return field ? field.label || field.key : spec.field;
      default:
        return "";
    }
  }

  var MODE_SHORT = { sequential: "m_sequential", all: "m_all", any: "m_any", threshold: "m_threshold" };
  var OPS = ["==", "!=", ">", ">=", "<", "<=", "in", "contains"];
  var OP_TEXT = { "==": "op_eq", "!=": "op_ne", ">": "op_gt", ">=": "op_ge", "<": "op_lt", "<=": "op_le", in: "op_in", contains: "op_contains" };

  function conditionText(condition) {
    var field = fieldByKey(condition.field);
    var label = field ? field.label || field.key : condition.field || "?";
    var value = Array.isArray(condition.value) ? condition.value.join("、") : condition.value;
    return label + " " + T[OP_TEXT[condition.op]] + " " + (value === undefined || value === null ? "" : value);
  }

  function branchSummary(branch) {
    if (branch.is_default) return T.default_note;
    if (!branch.conditions || !branch.conditions.length) return T.no_conditions;
    return branch.conditions.map(conditionText).join("；");
  }

  // --- the canvas --------------------------------------------------------------------

  function addMenu(list, index) {
    if (readonly) return el("div", { class: "fd-line" });
    var id = "fd-add-" + Math.random().toString(36).slice(2, 9);
    var items = [
      ["approver", "bi-person-check", T.approver],
      ["cc", "bi-send", T.cc],
      ["condition", "bi-signpost-split", T.condition],
      ["parallel", "bi-columns-gap", T.parallel],
    ];
    var menu = el("ul", { class: "dropdown-menu", "aria-labelledby": id });
    items.forEach(function (entry) {
      menu.appendChild(
        el("li", {}, [
          el(
            "button",
            {
              class: "dropdown-item",
              type: "button",
              "data-fd-add": entry[0],
              onclick: function () {
                insertNode(list, index, entry[0]);
              },
            },
            [icon(entry[1]), " " + entry[2]]
          ),
        ])
      );
    });
    return el("div", { class: "fd-line fd-add dropdown" }, [
      el(
        "button",
        {
          id: id,
          class: "btn btn-sm fd-add-btn",
          type: "button",
          "data-bs-toggle": "dropdown",
          "aria-expanded": "false",
          "aria-label": T.add_node,
          title: T.add_node,
        },
        [icon("bi-plus-lg")]
      ),
      menu,
    ]);
  }

  function makeNode(kind) {
    if (kind === "approver") {
      return {
        type: "approver",
        id: newId("n"),
        name: T.approver,
        assignees: { kind: "department_head" },
        mode: "sequential",
        threshold: 0,
        initiator_policy: "approve",
        skip_same_as_previous: false,
        when_empty: "auto_pass",
        fallback_users: [],
        return_policy: "rewalk",
        timeout_minutes: 0,
        on_timeout: "remind",
        escalate_to: [],
      };
    }
    if (kind === "cc") return { type: "cc", id: newId("n"), name: T.cc, assignees: { kind: "users", users: [] } };
    var node = { type: kind, id: newId("n"), name: kind === "condition" ? T.condition : T.parallel, branches: [] };
    var first = { id: newId("b", [node.id]), name: T.branch + " 1", is_default: false, conditions: [], nodes: [] };
    var second = {
      id: newId("b", [node.id, first.id]),
      name: kind === "condition" ? T.default_branch : T.branch + " 2",
      is_default: kind === "condition",
      conditions: [],
      nodes: [],
    };
    node.branches = [first, second];
    return node;
  }

  function insertNode(list, index, kind) {
    var node = makeNode(kind);
    list.splice(index, 0, node);
    markDirty();
    select(node.type === "condition" ? node.branches[0].id : node.id, false);
  }

  function problemBadge(id) {
    var list = problems[id];
    if (!list || !list.length) return null;
    return el("div", { class: "fd-card-problems" }, list.map(function (text) {
      return el("div", {}, [icon("bi-exclamation-triangle-fill"), " " + text]);
    }));
  }

  function dryBlock(id) {
    if (!dryRun) return null;
    var step = dryRun[id];
    if (!step) return el("div", { class: "fd-dry fd-dry-off" }, [T.dry_skipped]);
    var block = el("div", { class: "fd-dry", "data-testid": "fd-dry-" + id });
    if (step.kind === "approver" || step.kind === "cc" || step.kind === "start") {
      if (!step.approvers.length) block.appendChild(el("div", {}, [T.dry_nobody]));
      step.approvers.forEach(function (person) {
        block.appendChild(
          el("div", { class: "fd-dry-person" }, [icon("bi-person-fill"), " ", el("strong", { text: person.name }), person.reason ? el("span", { class: "fd-dry-reason", text: " · " + person.reason }) : null])
        );
      });
    }
    if (step.note) block.appendChild(el("div", { class: "fd-dry-note", text: step.note }));
    return block;
  }

  function card(node) {
    var kind = node.type;
    var iconName = kind === "approver" ? "bi-person-check" : "bi-send";
    var summary = assigneeSummary(node.assignees);
    var body = el("div", { class: "fd-card-body" }, [
      summary ? el("span", { text: summary }) : el("span", { class: "fd-placeholder", text: kind === "approver" ? T.who : T.who_cc }),
    ]);
    if (kind === "approver" && node.mode && node.mode !== "sequential") {
      body.appendChild(el("div", { class: "fd-card-meta", text: T[MODE_SHORT[node.mode]] + (node.mode === "threshold" ? " · " + (node.threshold || 0) : "") }));
    }
    var classes = "fd-card fd-card-" + kind;
    if (selected === node.id) classes += " fd-selected";
    if (problems[node.id]) classes += " fd-has-problem";
    if (dryRun && !dryRun[node.id]) classes += " fd-off-path";
    return el(
      "div",
      {
        class: classes,
        "data-node-id": node.id,
        "data-testid": "fd-node-" + node.id,
        tabindex: "0",
        role: "button",
        onclick: function () {
          select(node.id, false);
        },
        onkeydown: function (event) {
          if (event.key === "Enter") select(node.id, false);
        },
      },
      [
        el("div", { class: "fd-card-head" }, [
          icon(iconName),
          el("span", { class: "fd-card-title", text: node.name || T[kind] }),
          readonly ? null : deleteButton(node.id),
        ]),
        body,
        problemBadge(node.id),
        dryBlock(node.id),
      ]
    );
  }

  function deleteButton(id) {
    return el(
      "button",
      {
        class: "btn btn-sm fd-delete",
        type: "button",
        title: T.delete,
        "aria-label": T.delete,
        "data-fd-delete": id,
        onclick: function (event) {
          event.stopPropagation();
          remove(id);
        },
      },
      [icon("bi-x-lg")]
    );
  }

  function branchBlock(owner, branch, index) {
    var isCondition = owner.type === "condition";
    var classes = "fd-card fd-card-branch";
    if (branch.is_default) classes += " fd-branch-default";
    if (dryRun && !branchTaken(owner, branch)) classes += " fd-off-path";
    if (selected === branch.id) classes += " fd-selected";
    if (problems[branch.id]) classes += " fd-has-problem";
    var tools = readonly
      ? null
      : el("span", { class: "fd-branch-tools" }, [
          index > 0
            ? el("button", { class: "btn btn-sm fd-move", type: "button", title: T.move_left, "aria-label": T.move_left, onclick: function (e) { e.stopPropagation(); moveBranch(owner, index, -1); } }, [icon("bi-chevron-left")])
            : null,
          index < owner.branches.length - 1
            ? el("button", { class: "btn btn-sm fd-move", type: "button", title: T.move_right, "aria-label": T.move_right, onclick: function (e) { e.stopPropagation(); moveBranch(owner, index, 1); } }, [icon("bi-chevron-right")])
            : null,
          deleteButton(branch.id),
        ]);
    var head = el(
      "div",
      {
        class: classes,
        "data-node-id": branch.id,
        "data-testid": "fd-branch-" + branch.id,
        tabindex: "0",
        role: "button",
        onclick: function () {
          select(branch.id, false);
        },
        onkeydown: function (event) {
          if (event.key === "Enter") select(branch.id, false);
        },
      },
      [
        el("div", { class: "fd-card-head" }, [
          icon(branch.is_default ? "bi-signpost" : isCondition ? "bi-funnel" : "bi-columns-gap"),
          el("span", { class: "fd-card-title", text: branch.name || T.branch }),
          tools,
        ]),
        isCondition ? el("div", { class: "fd-card-body", text: branchSummary(branch) }) : null,
        problemBadge(branch.id),
      ]
    );
    var column = el("div", { class: "fd-branch" }, [head]);
    sequence(column, branch.nodes);
    return column;
  }

  function branchTaken(owner, branch) {
    if (!dryRun) return true;
    var step = dryRun[owner.id];
    if (!step) return false;
    if (owner.type === "parallel") return true;
    var nodes = branch.nodes || [];
    if (nodes.length) return !!dryRun[nodes[0].id];
    // An empty branch leaves no step behind: the condition's note names it.
    return (step.note || "").indexOf("“" + branch.name + "”") !== -1;
  }

  function moveBranch(owner, index, delta) {
    var list = owner.branches;
    var item = list.splice(index, 1)[0];
    list.splice(index + delta, 0, item);
    markDirty();
    render();
  }

  function group(node) {
    var classes = "fd-group fd-group-" + node.type;
    if (selected === node.id) classes += " fd-selected-group";
    var head = el(
      "div",
      {
        class: "fd-group-head" + (problems[node.id] ? " fd-has-problem" : "") + (selected === node.id ? " fd-selected" : ""),
        "data-node-id": node.id,
        "data-testid": "fd-node-" + node.id,
      },
      [
        el(
          "button",
          { class: "btn btn-sm fd-group-name", type: "button", onclick: function () { select(node.id, false); } },
          [icon(node.type === "condition" ? "bi-signpost-split" : "bi-columns-gap"), " " + (node.name || T[node.type])]
        ),
        readonly
          ? null
          : el(
              "button",
              {
                class: "btn btn-sm btn-outline-primary fd-add-branch",
                type: "button",
                "data-testid": "fd-add-branch-" + node.id,
                onclick: function () {
                  addBranch(node);
                },
              },
              [icon("bi-plus"), " " + T.add_branch]
            ),
        readonly ? null : deleteButton(node.id),
        problemBadge(node.id),
        dryRun && dryRun[node.id] ? dryBlock(node.id) : null,
      ]
    );
    var row = el("div", { class: "fd-branches" });
    node.branches.forEach(function (branch, index) {
      row.appendChild(branchBlock(node, branch, index));
    });
    return el("div", { class: classes }, [head, row]);
  }

  function sequence(container, nodes) {
    nodes.forEach(function (node, index) {
      container.appendChild(addMenu(nodes, index));
      container.appendChild(node.type === "condition" || node.type === "parallel" ? group(node) : card(node));
    });
    container.appendChild(addMenu(nodes, nodes.length));
  }

  function endpoint(kind) {
    var isStart = kind === "start";
    return el(
      "div",
      { class: "fd-card fd-card-" + kind, "data-testid": "fd-" + kind },
      [
        el("div", { class: "fd-card-head" }, [icon(isStart ? "bi-person-circle" : "bi-flag"), el("span", { class: "fd-card-title", text: isStart ? T.start : T.end })]),
        el("div", { class: "fd-card-body", text: isStart ? T.start_note : T.end_note }),
        isStart && dryRun && dryRun.start ? dryBlock("start") : null,
      ]
    );
  }

  function render() {
    canvas.textContent = "";
    var chain = el("div", { class: "fd-chain" });
    chain.appendChild(endpoint("start"));
    sequence(chain, def.nodes);
    chain.appendChild(endpoint("end"));
    canvas.appendChild(chain);
  }

  function addBranch(node) {
    var count = node.branches.length + 1;
    var branch = { id: newId("b"), name: T.branch + " " + count, is_default: false, conditions: [], nodes: [] };
    // A new condition branch goes before the default branch, which stays last.
    var at = node.branches.length;
    if (node.type === "condition" && at && node.branches[at - 1].is_default) at -= 1;
    node.branches.splice(at, 0, branch);
    markDirty();
    select(branch.id, false);
  }

  function remove(id) {
    var where = find(id);
    if (!where) return;
    where.list.splice(where.index, 1);
    if (where.isBranch && where.owner.branches.length === 0) {
      var outer = find(where.owner.id);
      if (outer) outer.list.splice(outer.index, 1);
    }
    if (selected === id || !find(selected)) selected = null;
    delete problems[id];
    markDirty();
    render();
    renderPanel();
  }

  function select(id, scroll) {
    selected = id;
    dryPanelOpen = false;
    render();
    renderPanel();
    var target = canvas.querySelector('[data-node-id="' + id + '"]');
    if (target && scroll) target.scrollIntoView({ behavior: "smooth", block: "center" });
    if (window.matchMedia("(max-width: 991.98px)").matches && !scroll) {
      panel.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  // --- the side panel -------------------------------------------------------------------

  function changed() {
    markDirty();
    render();
  }

  function group_(label, control, help) {
    var id = "fd-f-" + Math.random().toString(36).slice(2, 9);
    control.id = id;
    return el("div", { class: "mb-3" }, [el("label", { class: "form-label", for: id, text: label }), control, help ? el("div", { class: "form-text", text: help }) : null]);
  }

  function textInput(value, onInput, attrs) {
    var input = el("input", Object.assign({ class: "form-control form-control-sm", type: "text" }, attrs || {}));
    input.value = value === undefined || value === null ? "" : value;
    input.addEventListener("input", function () {
      onInput(input.value);
    });
    return input;
  }

  function selectInput(options, value, onChange, attrs) {
    var sel = el("select", Object.assign({ class: "form-select form-select-sm" }, attrs || {}));
    options.forEach(function (option) {
      var opt = el("option", { value: option[0], text: option[1] });
      if (String(option[0]) === String(value)) opt.selected = true;
      sel.appendChild(opt);
    });
    sel.addEventListener("change", function () {
      onChange(sel.value);
    });
    return sel;
  }

  function checkbox(label, checked, onChange, testid) {
    var id = "fd-c-" + Math.random().toString(36).slice(2, 9);
    var box = el("input", { class: "form-check-input", type: "checkbox", id: id, "data-testid": testid });
    box.checked = !!checked;
    box.addEventListener("change", function () {
      onChange(box.checked);
    });
    return el("div", { class: "form-check mb-3" }, [box, el("label", { class: "form-check-label", for: id, text: label })]);
  }

  function numberInput(value, onInput, attrs) {
    var input = el("input", Object.assign({ class: "form-control form-control-sm", type: "number", min: "0" }, attrs || {}));
    input.value = value === undefined || value === null ? "0" : value;
    input.addEventListener("input", function () {
      var n = parseInt(input.value, 10);
      onInput(isNaN(n) ? 0 : n);
    });
    return input;
  }

  // A people picker: chosen people as removable chips, a search box, results.
  function peoplePicker(label, list, onChange, testid) {
    var wrap = el("div", { class: "mb-3 fd-people", "data-testid": testid });
    var id = "fd-p-" + Math.random().toString(36).slice(2, 9);
    wrap.appendChild(el("label", { class: "form-label", for: id, text: label }));
    var chips = el("div", { class: "fd-chips mb-1" });
    function drawChips() {
      chips.textContent = "";
      if (!list.length) chips.appendChild(el("span", { class: "fd-placeholder small", text: T.no_person }));
      list.forEach(function (ref, index) {
        chips.appendChild(
          el("span", { class: "badge rounded-pill text-bg-light border fd-chip" }, [
            personName(ref) + " ",
            el("button", { class: "btn-close fd-chip-x", type: "button", "aria-label": T.delete, onclick: function () { list.splice(index, 1); onChange(list); drawChips(); } }),
          ])
        );
      });
    }
    drawChips();
    var results = el("div", { class: "list-group fd-results" });
    var search = el("input", { class: "form-control form-control-sm", type: "search", id: id, placeholder: T.search_people, autocomplete: "off" });
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = search.value.trim();
        if (!q) {
          results.textContent = "";
          return;
        }
        fetch(data.urls.people + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            results.textContent = "";
            body.results.forEach(function (person) {
              results.appendChild(
                el("button", {
                  class: "list-group-item list-group-item-action py-1 small",
                  type: "button",
                  onclick: function () {
                    people[person.id] = person.name;
                    if (list.indexOf(person.id) === -1) list.push(person.id);
                    onChange(list);
                    search.value = "";
                    results.textContent = "";
                    drawChips();
                  },
                }, [person.name + (person.department ? " · " + person.department : "")])
              );
            });
          });
      }, 200);
    });
    wrap.appendChild(chips);
    wrap.appendChild(search);
    wrap.appendChild(results);
    return wrap;
  }

  function assigneeEditor(node, isApprover) {
    var spec = node.assignees || (node.assignees = { kind: "department_head" });
    var box = el("div", {});
    var kinds = ["users", "role", "department_head", "levels_up", "overseeing_leader", "initiator_pick", "form_field"];
    if (!isApprover) kinds = kinds.filter(function (k) { return k !== "initiator_pick"; });
    box.appendChild(
      group_(
        isApprover ? T.who : T.who_cc,
        selectInput(kinds.map(function (k) { return [k, T["k_" + k]]; }), spec.kind, function (value) {
          node.assignees = { kind: value };
          if (value === "users") node.assignees.users = [];
          if (value === "levels_up") node.assignees.levels = 2;
          changed();
          renderPanel();
        }, { "data-testid": "fd-assignee-kind" })
      )
    );
    if (spec.kind === "users") {
      spec.users = spec.users || [];
      box.appendChild(peoplePicker(T.people, spec.users, function () { changed(); }, "fd-users"));
    } else if (spec.kind === "role") {
      box.appendChild(
        group_(T.role, selectInput([["", T.choose]].concat(roles.map(function (r) { return [r.value, r.label]; })), spec.role || "", function (value) {
          if (value) spec.role = value;
          else delete spec.role;
          changed();
        }, { "data-testid": "fd-role" }))
      );
    } else if (spec.kind === "levels_up") {
      box.appendChild(group_(T.levels, numberInput(spec.levels || 1, function (n) { spec.levels = n; changed(); }, { min: "1" })));
    } else if (spec.kind === "form_field") {
      var personFields = form.filter(function (f) { return f.type === "person"; });
      if (!personFields.length) box.appendChild(el("div", { class: "alert alert-warning py-1 small", text: T.no_person_fields }));
      box.appendChild(
        group_(T.field, selectInput([["", T.choose]].concat(personFields.map(function (f) { return [f.key, f.label || f.key]; })), spec.field || "", function (value) {
          if (value) spec.field = value;
          else delete spec.field;
          changed();
        }))
      );
    }
    return box;
  }

  function approverPanel(node) {
    var box = el("div", {});
    box.appendChild(assigneeEditor(node, true));
    box.appendChild(
      group_(T.mode, selectInput(["sequential", "all", "any", "threshold"].map(function (m) { return [m, T[MODE_SHORT[m]]]; }), node.mode || "sequential", function (value) {
        node.mode = value;
        if (value === "threshold" && !node.threshold) node.threshold = 1;
        changed();
        renderPanel();
      }, { "data-testid": "fd-mode" }))
    );
    if (node.mode === "threshold") {
      box.appendChild(group_(T.threshold, numberInput(node.threshold, function (n) { node.threshold = n; changed(); }, { min: "1" })));
    }
    var details = el("details", { class: "fd-policies mb-2" }, [el("summary", { class: "fw-semibold mb-2", text: T.policies })]);
    details.appendChild(group_(T.initiator_policy, selectInput([["approve", T.ip_approve], ["skip", T.ip_skip]], node.initiator_policy || "approve", function (v) { node.initiator_policy = v; changed(); })));
    details.appendChild(checkbox(T.skip_same, node.skip_same_as_previous, function (v) { node.skip_same_as_previous = v; changed(); }));
    details.appendChild(group_(T.when_empty, selectInput([["auto_pass", T.we_auto_pass], ["fallback", T.we_fallback]], node.when_empty || "auto_pass", function (v) { node.when_empty = v; changed(); renderPanel(); })));
    if (node.when_empty === "fallback") {
      node.fallback_users = node.fallback_users || [];
      details.appendChild(peoplePicker(T.fallback_users, node.fallback_users, function () { changed(); }, "fd-fallback"));
    }
    details.appendChild(group_(T.return_policy, selectInput([["rewalk", T.rp_rewalk], ["straight_back", T.rp_straight_back]], node.return_policy || "rewalk", function (v) { node.return_policy = v; changed(); })));
    details.appendChild(group_(T.timeout, numberInput(node.timeout_minutes || 0, function (n) { node.timeout_minutes = n; changed(); })));
    details.appendChild(group_(T.on_timeout, selectInput([["remind", T.to_remind], ["escalate", T.to_escalate], ["auto_pass", T.to_auto_pass]], node.on_timeout || "remind", function (v) { node.on_timeout = v; changed(); renderPanel(); })));
    if (node.on_timeout === "escalate") {
      node.escalate_to = node.escalate_to || [];
      details.appendChild(peoplePicker(T.escalate_to, node.escalate_to, function () { changed(); }, "fd-escalate"));
    }
    box.appendChild(details);
    return box;
  }

  function typedValue(field, op, raw) {
    var numeric = field && (field.type === "number" || field.type === "money");
    function one(text) {
      text = String(text).trim();
      if (numeric && text !== "" && !isNaN(Number(text))) return Number(text);
      return text;
    }
    if (op === "in") {
      return String(raw).split(/[,，、]/).map(one).filter(function (v) { return v !== ""; });
    }
    return one(raw);
  }

  function conditionRow(branch, condition, index) {
    var field = fieldByKey(condition.field);
    var fieldOptions = [["", T.choose]].concat(form.map(function (f) { return [f.key, f.label || f.key]; }));
    if (condition.field && !field) fieldOptions.push([condition.field, condition.field]);
    var valueControl;
    var shown = Array.isArray(condition.value) ? condition.value.join(", ") : condition.value;
    if (field && (field.type === "choice" || field.type === "multichoice") && condition.op !== "in") {
      valueControl = selectInput([["", T.choose]].concat((field.options || []).map(function (o) { return [o, o]; })), shown, function (v) { condition.value = v; changed(); }, { "aria-label": T.value, "data-testid": "fd-cond-value" });
    } else {
      valueControl = textInput(shown, function (v) { condition.value = typedValue(fieldByKey(condition.field), condition.op, v); changed(); }, {
        "aria-label": T.value,
        placeholder: condition.op === "in" ? T.values_hint : T.value,
        "data-testid": "fd-cond-value",
        inputmode: field && (field.type === "number" || field.type === "money") ? "decimal" : null,
      });
    }
    return el("div", { class: "fd-condition mb-2", "data-testid": "fd-condition-" + index }, [
      selectInput(fieldOptions, condition.field || "", function (v) { condition.field = v; changed(); renderPanel(); }, { "aria-label": T.field, "data-testid": "fd-cond-field" }),
      selectInput(OPS.map(function (op) { return [op, T[OP_TEXT[op]]]; }), condition.op || "==", function (v) {
        condition.op = v;
        condition.value = typedValue(fieldByKey(condition.field), v, Array.isArray(condition.value) ? condition.value.join(",") : condition.value === undefined ? "" : condition.value);
        changed();
        renderPanel();
      }, { "aria-label": T.conditions, "data-testid": "fd-cond-op" }),
      valueControl,
      el("button", { class: "btn btn-sm btn-outline-danger", type: "button", title: T.delete, "aria-label": T.delete, onclick: function () { branch.conditions.splice(index, 1); changed(); renderPanel(); } }, [icon("bi-trash")]),
    ]);
  }

  function branchPanel(branch, owner) {
    var box = el("div", {});
    if (owner.type !== "condition") return box;
    box.appendChild(checkbox(T.is_default, branch.is_default, function (v) {
      branch.is_default = v;
      if (v) branch.conditions = [];
      changed();
      renderPanel();
    }, "fd-is-default"));
    if (branch.is_default) return box;
    if (!form.length) box.appendChild(el("div", { class: "alert alert-warning py-1 small", text: T.no_form_fields }));
    box.appendChild(el("div", { class: "form-label", text: T.conditions }));
    branch.conditions = branch.conditions || [];
    branch.conditions.forEach(function (condition, index) {
      box.appendChild(conditionRow(branch, condition, index));
    });
    box.appendChild(
      el("button", { class: "btn btn-sm btn-outline-primary", type: "button", "data-testid": "fd-add-condition", onclick: function () {
        var first = form.length ? form[0].key : "";
        branch.conditions.push({ field: first, op: "==", value: "" });
        changed();
        renderPanel();
      } }, [icon("bi-plus"), " " + T.add_condition])
    );
    return box;
  }

  function renderPanel() {
    panel.textContent = "";
    if (dryPanelOpen) {
      dryPanel();
      return;
    }
    var where = selected ? find(selected) : null;
    if (!where) {
      panel.appendChild(el("div", { class: "card-body fd-hint" }, [icon("bi-hand-index"), " " + (readonly ? T.select_hint_readonly : T.select_hint)]));
      panel.classList.add("fd-panel-empty");
      return;
    }
    panel.classList.remove("fd-panel-empty");
    var item = where.item;
    var title = where.isBranch ? T.branch : T[item.type];
    var header = el("div", { class: "card-header d-flex align-items-center justify-content-between" }, [
      el("strong", { text: title }),
      el("button", { class: "btn-close", type: "button", "aria-label": T.close, onclick: function () { selected = null; render(); renderPanel(); } }),
    ]);
    var body = el("fieldset", { class: "card-body", disabled: readonly });
    body.appendChild(group_(T.name, textInput(item.name, function (v) { item.name = v; changed(); }, { "data-testid": "fd-name", maxlength: "100" })));
    if (problems[item.id]) {
      body.appendChild(el("div", { class: "alert alert-danger py-1 small" }, problems[item.id].map(function (t) { return el("div", { text: t }); })));
    }
    if (where.isBranch) body.appendChild(branchPanel(item, where.owner));
    else if (item.type === "approver") body.appendChild(approverPanel(item));
    else if (item.type === "cc") body.appendChild(assigneeEditor(item, false));
    else {
      body.appendChild(el("button", { class: "btn btn-sm btn-outline-primary", type: "button", onclick: function () { addBranch(item); } }, [icon("bi-plus"), " " + T.add_branch]));
    }
    panel.appendChild(header);
    panel.appendChild(body);
  }

  // --- dry run --------------------------------------------------------------------------

  function dryField(field) {
    var value = dryValues[field.key] === undefined ? "" : dryValues[field.key];
    var set = function (v) { dryValues[field.key] = v; };
    var control;
    if (field.type === "number" || field.type === "money") {
      control = el("input", { class: "form-control form-control-sm", type: "number", step: "any", "data-testid": "fd-dry-field-" + field.key });
      control.value = value;
      control.addEventListener("input", function () { set(control.value); });
    } else if (field.type === "choice" || field.type === "multichoice") {
      control = selectInput([["", T.choose]].concat((field.options || []).map(function (o) { return [o, o]; })), value, set, { "data-testid": "fd-dry-field-" + field.key });
    } else if (field.type === "date") {
      control = el("input", { class: "form-control form-control-sm", type: "date" });
      control.value = value;
      control.addEventListener("input", function () { set(control.value); });
    } else if (field.type === "person" || field.type === "department" || field.type === "attachment" || field.type === "daterange" || field.type === "datetimerange") {
      return null; // not needed to choose a path in most flows; left out of the sample
    } else {
      control = textInput(value, set, { "data-testid": "fd-dry-field-" + field.key });
    }
    return group_(field.label || field.key, control);
  }

  function dryPanel() {
    panel.classList.remove("fd-panel-empty");
    panel.appendChild(el("div", { class: "card-header d-flex align-items-center justify-content-between" }, [
      el("strong", {}, [icon("bi-play-circle"), " " + T.dry_run]),
      el("button", { class: "btn-close", type: "button", "aria-label": T.close, onclick: function () { dryPanelOpen = false; dryRun = null; render(); renderPanel(); } }),
    ]));
    var body = el("form", { class: "card-body", "data-testid": "fd-dry-form", novalidate: true });
    body.appendChild(el("p", { class: "small zb-muted", text: T.dry_intro }));
    var initiatorList = dryInitiator ? [dryInitiator.id] : [];
    if (dryInitiator) people[dryInitiator.id] = dryInitiator.name;
    body.appendChild(peoplePicker(T.dry_initiator, initiatorList, function (list) {
      var id = list[list.length - 1];
      dryInitiator = id ? { id: id, name: personName(id) } : null;
      renderPanel();
    }, "fd-dry-initiator"));
    form.forEach(function (field) {
      var row = dryField(field);
      if (row) body.appendChild(row);
    });
    body.appendChild(el("button", { class: "btn btn-primary btn-sm", type: "submit", "data-testid": "fd-dry-go" }, [icon("bi-signpost-2"), " " + T.dry_go]));
    body.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!dryInitiator) {
        say("warning", T.dry_need_initiator);
        return;
      }
      post(data.urls.dry_run, { definition: def, form: dryValues, initiator: dryInitiator.id }).then(function (result) {
        if (!result.ok) {
          say("danger", (result.errors || [T.failed]).join(" "));
          return;
        }
        clean();
        dryRun = {};
        result.steps.forEach(function (step) { dryRun[step.node_id] = step; });
        messagesBox.textContent = "";
        render();
        var first = canvas.querySelector(".fd-dry");
        if (first) first.scrollIntoView({ behavior: "smooth", block: "nearest" });
      }).catch(function () { say("danger", T.failed); });
    });
    panel.appendChild(body);
  }

  // --- toolbar ----------------------------------------------------------------------------

  function clean() {
    if (dirtyBadge) dirtyBadge.classList.add("d-none");
  }

  function showProblems(list) {
    problems = {};
    (list || []).forEach(function (problem) {
      var id = problem.node_id || "";
      if (!id) return;
      (problems[id] = problems[id] || []).push(problem.message);
    });
    render();
    renderPanel();
    var first = (list || []).filter(function (p) { return p.node_id && find(p.node_id); })[0];
    if (first) {
      var target = canvas.querySelector('[data-node-id="' + first.node_id + '"]');
      if (target) target.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  }

  function failed(result) {
    if (result.problems && result.problems.length) {
      say("danger", T.problems, result.problems);
      showProblems(result.problems);
    } else {
      say("danger", (result.errors || [T.failed]).join(" "));
    }
  }

  var actions = {
    save: function () {
      return post(data.urls.save, { definition: def }).then(function (result) {
        if (!result.ok) return failed(result);
        clean();
        say("success", T.saved);
      });
    },
    validate: function () {
      return post(data.urls.validate, { definition: def }).then(function (result) {
        clean();
        if (result.errors) return failed(result);
        if (result.problems.length) {
          say("danger", T.problems, result.problems);
        } else {
          say("success", T.valid);
        }
        showProblems(result.problems);
      });
    },
    "dry-run": function () {
      dryPanelOpen = true;
      renderPanel();
      panel.scrollIntoView({ behavior: "smooth", block: "nearest" });
      return Promise.resolve();
    },
    publish: function () {
      return post(data.urls.publish, { definition: def }).then(function (result) {
        if (!result.ok) return failed(result);
        clean();
        showProblems([]);
        say("success", fmt(T.published, { n: result.version }));
        var badge = document.querySelector('[data-testid="flow-status"]');
        if (badge) {
          badge.className = "badge text-bg-success";
          badge.textContent = fmt(T.published_badge, { n: result.version });
        }
      });
    },
  };

  document.querySelectorAll("[data-fd-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = actions[button.getAttribute("data-fd-action")];
      button.disabled = true;
      action()
        .catch(function () { say("danger", T.failed); })
        .then(function () { button.disabled = false; });
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirtyBadge && !dirtyBadge.classList.contains("d-none")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  render();
  renderPanel();
})();
