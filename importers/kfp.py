"""Kubeflow Pipelines: a compiled pipeline, the IR YAML (PipelineSpec) ``kfp.compiler`` writes.

Every task that runs a container (or imports an artifact) becomes a job, in the namespace of the
pipeline (``pipelineInfo.name``); what it outputs becomes a node named ``TASK.OUTPUT``: artifacts
by their schema title (``system.Model`` a model, the rest datasets), output parameters datasets.
Pipeline parameters become flags (with their defaults), pipeline input artifacts nodes of their
own. Edges follow how the tasks are wired, through the sub-DAGs that conditions, loops, exit
handlers and pipelines used as components compile to. All of it is *declared*, each record with
the line that said so. The commands and code the pipeline holds are kept as text, never run, and
no path or URI in it is opened.

A JSON pipeline reads the same, and so does a PipelineJob JSON (the ``pipelineSpec`` it wraps;
its ``runtimeConfig.parameterValues`` become the flags' values). Later YAML documents in the
file (the platform config kfp-kubernetes appends) say nothing about lineage and are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage.records import EdgeRecord, InputError, NodeRecord, Problem

from ._kit.document import DocumentImporter
from ._kit.located import Located
from ._kit.structured import load_json, load_yaml, pointer_join
from ._kit.values import is_name, type_name

MAX_TASKS = 100_000  # tasks once sub-DAGs are expanded (a DAG component can be used many times)

_HEADER = re.compile(rb"^\s*# PIPELINE DEFINITION")  # the comment kfp.compiler writes first
_DOCUMENT_MARK = re.compile(r"^(---|\.\.\.)(?=[ \t]|$)", re.MULTILINE)
_CONDITION_INPUT = re.compile(r"""parameter_values\[['"]([^'"]+)['"]\]""")


def _has_key(sample: bytes, key: str) -> bool:
    if f'"{key}"'.encode() in sample:
        return True
    return re.search(rf"(?m)^[ \t]*{key}[ \t]*:".encode(), sample) is not None


def _looks_like_pipeline(sample: bytes) -> bool:
    if _has_key(sample, "pipelineInfo") and _has_key(sample, "root"):
        return True
    # The compiler sorts the keys: components and deploymentSpec (with the code of every
    # component) come first, and push pipelineInfo and root past the first 4 KiB.
    if _has_key(sample, "components") and any(
        _has_key(sample, k) for k in ("deploymentSpec", "executorLabel", "componentRef")
    ):
        return True
    return bool(_HEADER.match(sample)) and any(
        _has_key(sample, k) for k in ("components", "deploymentSpec", "pipelineInfo", "root")
    )


class KfpImporter(DocumentImporter):
    name = "kfp"
    description = "Kubeflow Pipelines: compiled pipelines (IR YAML): tasks, artifacts, parameters"
    reads = "*.yaml / *.yml written by kfp.compiler (PipelineSpec), or the same as *.json, or a PipelineJob"
    priority = 30
    suffixes = (".yaml", ".yml", ".json")
    not_an_object = "a compiled Kubeflow pipeline must be a mapping"

    def looks_like(self, sample: bytes) -> bool:
        return _looks_like_pipeline(sample)

    def parse(self, text: str, file: str, suffix: str) -> tuple[Any, dict[str, int]]:
        if suffix == ".json":
            return load_json(text, file)
        return load_yaml(_first_document(text), file)

    def read(self, path: Path, options: Mapping[str, str] | None = None) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        doc = self.load_root(path)
        data, base = doc.data, ""
        values: dict[str, Any] = {}
        if isinstance(data.get("pipelineSpec"), dict) and "root" not in data:  # a PipelineJob
            base = "/pipelineSpec"
            runtime = data.get("runtimeConfig")
            found = runtime.get("parameterValues") if isinstance(runtime, dict) else None
            values = found if isinstance(found, dict) else {}
            data = data["pipelineSpec"]
        reader = _Reader(doc.file, doc.lines, base, data, values)
        yield from reader.records()


def _first_document(text: str) -> str:
    """The first YAML document of ``text`` (an explicit ``---`` before it kept), line numbers intact.

    >>> _first_document("a: 1\\n---\\nb: 2\\n")
    'a: 1\\n'
    >>> _first_document("# c\\n---\\na: 1\\n...\\n")
    '# c\\n---\\na: 1\\n'
    """
    for mark in _DOCUMENT_MARK.finditer(text):
        before = text[: mark.start()]
        if mark.group(1) == "---" and all(
            not line.strip() or line.lstrip().startswith(("#", "%")) for line in before.splitlines()
        ):
            continue  # the explicit start of the first document
        return before
    return text


@dataclass
class _Source:
    """What feeds a task input: a flag, a data node (artifact or output parameter), or a value."""

    kind: str  # "flag", "data" or "value"
    ref: Any  # node id, or the constant


# What a condition around a DAG tests: the source, the pointer of the condition, its text.
_Gate = tuple[_Source, str, str]


@dataclass
class _Task:
    key: str  # its name in its DAG
    pointer: str
    raw: dict
    path: tuple[str, ...]  # the sub-DAG tasks it is inside, outermost first
    component: str | None
    spec: dict | None  # the component, None when the pipeline does not define it
    inner: _Dag | None = None  # a sub-DAG component's DAG, expanded for this task
    job: NodeRecord | None = None
    # ("artifacts" | "parameters", output key) -> the node ids it stands for
    outputs: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def broken(self) -> bool:
        return self.spec is None


@dataclass
class _Dag:
    owner: str  # "the pipeline" or "component 'comp-x'", for messages
    pointer: str  # of the dag
    raw: dict
    inputs: dict  # the inputDefinitions of its component (or of root)
    tasks: dict[str, _Task] = field(default_factory=dict)


class _Reader(Located):
    def __init__(self, file: str, lines: dict[str, int], base: str, spec: dict, values: dict) -> None:
        super().__init__(file, lines, base)  # one-line JSON has no lines: locations are pointers
        self.spec = spec
        self.values = values
        self.nodes: dict[str, NodeRecord] = {}
        self.edges: dict[tuple[str, str, str], EdgeRecord] = {}
        self.components = _dict(spec.get("components"))
        deployment = _dict(spec.get("deploymentSpec"))
        self.executors = _dict(deployment.get("executors"))
        self.expanded = 0
        info = spec.get("pipelineInfo")
        name = info.get("name") if isinstance(info, dict) else None
        if not is_name(name):
            self.problem("/pipelineInfo", "pipelineInfo needs a 'name'")
            name = ""
        self.namespace = name

    # -- helpers ------------------------------------------------------------------------------

    def add_node(self, node: NodeRecord) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def add_edge(self, source: str, target: str, kind: str, pointer: str, **attributes: Any) -> None:
        edge = EdgeRecord(source, target, kind, attributes=attributes, location=self.at(pointer))
        self.edges.setdefault(edge.key, edge)

    # -- reading ------------------------------------------------------------------------------

    def records(self) -> Iterator[NodeRecord | EdgeRecord | Problem]:
        root = _dict(self.spec.get("root"))
        dag = root.get("dag")
        if not isinstance(dag, dict) or not isinstance(dag.get("tasks"), dict):
            where = "/root/dag" if isinstance(dag, dict) else "/root"
            raise InputError(self.at(where), "a compiled Kubeflow pipeline needs root.dag.tasks")
        inputs = _dict(root.get("inputDefinitions"))
        top = self.build("the pipeline", "/root/dag", dag, inputs, (), ())
        self.name_jobs(top)
        self.make_nodes(top)
        bindings = self.pipeline_inputs(inputs)
        self.wire(top, bindings, [])
        for (_, key), ids in self.dag_outputs(top).items():
            for node_id in ids:
                self.nodes[node_id].attributes.setdefault("pipeline_output", key)
        yield from self.nodes.values()
        yield from self.edges.values()
        yield from dict.fromkeys(self.problems)  # a DAG component used twice says it twice

    def build(self, owner: str, pointer: str, dag: dict, inputs: dict, path: tuple[str, ...],
              stack: tuple[str, ...]) -> _Dag:  # fmt: skip
        """The tasks of a DAG, sub-DAG components expanded for each task that uses one."""
        out = _Dag(owner, pointer, dag, inputs)
        tasks = dag.get("tasks")
        if not isinstance(tasks, dict):
            self.problem(pointer, f"the DAG of {owner} needs 'tasks'")
            return out
        for key, raw in tasks.items():
            t_pointer = pointer_join(pointer_join(pointer, "tasks"), key)
            if not isinstance(raw, dict):
                self.problem(t_pointer, f"task {key!r} must be a mapping, not {type_name(raw, mapping='mapping')}")
                continue
            self.expanded += 1
            if self.expanded > MAX_TASKS:
                raise InputError(self.at(t_pointer), f"the pipeline expands to more than {MAX_TASKS} tasks")
            ref = raw.get("componentRef")
            name = ref.get("name") if isinstance(ref, dict) else None
            ref_pointer = pointer_join(t_pointer, "componentRef")
            spec = self.components.get(name) if is_name(name) else None
            if not is_name(name):
                self.problem(ref_pointer, f"task {key!r} needs a componentRef name")
            elif not isinstance(spec, dict):
                message = f"task {key!r} uses component {name!r}, which the pipeline does not define"
                self.problem(pointer_join(ref_pointer, "name"), message)
                spec = None
            task = _Task(key, t_pointer, raw, path, name if is_name(name) else None, spec)
            out.tasks[key] = task
            if spec is None or not is_name(name):  # reported above
                continue
            c_pointer = pointer_join("/components", name)
            if isinstance(spec.get("dag"), dict):
                if name in stack:
                    self.problem(pointer_join(c_pointer, "dag"), f"component {name!r} contains itself")
                    task.spec = None
                    continue
                owner, inputs = f"component {name!r}", _dict(spec.get("inputDefinitions"))
                task.inner = self.build(owner, pointer_join(c_pointer, "dag"), spec["dag"], inputs,
                                        (*path, key), (*stack, name))  # fmt: skip
            elif not is_name(spec.get("executorLabel")):
                self.problem(c_pointer, f"component {name!r} has neither a 'dag' nor an 'executorLabel'")
            elif not isinstance(self.executors.get(spec["executorLabel"]), dict):
                self.problem(pointer_join(c_pointer, "executorLabel"),
                             f"component {name!r} runs executor {spec['executorLabel']!r}, "
                             "which deploymentSpec does not define")  # fmt: skip
        return out

    def leaves(self, dag: _Dag) -> Iterator[_Task]:
        for task in dag.tasks.values():
            if task.inner is not None:
                yield from self.leaves(task.inner)
            else:
                yield task

    def name_jobs(self, top: _Dag) -> None:
        """A job is named by its task; a name that repeats (a pipeline used as a component has
        its own task names) by the path of the sub-DAG tasks it is inside: ``outer.inner.task``."""
        leaves = list(self.leaves(top))
        counts = Counter(task.key for task in leaves)
        for task in leaves:
            name = task.key if counts[task.key] == 1 else ".".join((*task.path, task.key))
            task.job = NodeRecord("job", name, self.namespace, location=self.at(task.pointer))

    def make_nodes(self, dag: _Dag) -> None:
        """Jobs, what each writes, and what each sub-DAG task's outputs stand for (inner first)."""
        for task in dag.tasks.values():
            if task.inner is not None:
                self.make_nodes(task.inner)
                task.outputs = self.dag_outputs(task.inner)
            else:
                self.make_job(task)

    def make_job(self, task: _Task) -> None:
        job = task.job
        assert job is not None
        raw, spec = task.raw, task.spec or {}
        attributes: dict[str, Any] = {"task": task.key}
        info = raw.get("taskInfo")
        if isinstance(info, dict) and is_name(info.get("name")) and info["name"] != task.key:
            attributes["display_name"] = info["name"]
        if task.component:
            attributes["component"] = task.component
        label = spec.get("executorLabel")
        executor = self.executors.get(label) if is_name(label) else None
        uri = None
        if isinstance(executor, dict):
            attributes["executor"] = label
            container = executor.get("container")
            if isinstance(container, dict):
                for key in ("image", "command", "args"):
                    if container.get(key) not in (None, "", []):
                        attributes[key] = container[key]
            importer = executor.get("importer")
            if isinstance(importer, dict):
                artifact_uri = _dict(importer.get("artifactUri"))
                if is_name(artifact_uri.get("constant")):
                    uri = artifact_uri["constant"]
                    attributes["importer_uri"] = uri
                elif is_name(artifact_uri.get("runtimeParameter")):
                    attributes["importer_uri_parameter"] = artifact_uri["runtimeParameter"]
                if "reimport" in importer:
                    attributes["reimport"] = importer["reimport"]
        caching = raw.get("cachingOptions")
        if isinstance(caching, dict) and "enableCache" in caching:
            attributes["cache"] = caching["enableCache"]
        for key, attr in (("retryPolicy", "retry"), ("triggerPolicy", "trigger")):
            if isinstance(raw.get(key), dict) and raw[key]:
                attributes[attr] = raw[key]
        if task.path:
            attributes["within"] = list(task.path)
        job.attributes = attributes
        self.add_node(job)
        outputs = _dict(spec.get("outputDefinitions"))
        for key, definition in _dict(outputs.get("artifacts")).items():
            definition = _dict(definition)
            art_type = _dict(definition.get("artifactType"))
            title = art_type.get("schemaTitle")
            attrs: dict[str, Any] = {"task": task.key, "output": key}
            if is_name(title):
                attrs["artifact_type"] = title
            if art_type.get("schemaVersion"):
                attrs["schema_version"] = art_type["schemaVersion"]
            if definition.get("isArtifactList"):
                attrs["list"] = True
            if uri:
                attrs["uri"] = uri
            node = NodeRecord(_artifact_kind(title), f"{job.name}.{key}", self.namespace, attributes=attrs,
                              location=job.location, aliases=(uri,) if uri else ())  # fmt: skip
            task.outputs["artifacts", key] = [self.add_node(node)]
            self.add_edge(job.id, node.id, "writes", task.pointer)
        for key, definition in _dict(outputs.get("parameters")).items():
            definition = _dict(definition)
            attrs = {"task": task.key, "output": key, "output_parameter": True}
            p_type = definition.get("parameterType") or definition.get("type")
            if is_name(p_type):
                attrs["parameter_type"] = p_type
            node = NodeRecord("dataset", f"{job.name}.{key}", self.namespace, attributes=attrs,
                              location=job.location)  # fmt: skip
            task.outputs["parameters", key] = [self.add_node(node)]
            self.add_edge(job.id, node.id, "writes", task.pointer)

    def dag_outputs(self, dag: _Dag) -> dict[tuple[str, str], list[str]]:
        """What the outputs of a DAG stand for: the outputs of the inner tasks it selects."""
        out: dict[tuple[str, str], list[str]] = {}
        outputs = dag.raw.get("outputs")
        o_pointer = pointer_join(dag.pointer, "outputs")
        for section, what, selectors_key, key_key in (
            ("artifacts", "artifact", "artifactSelectors", "outputArtifactKey"),
            ("parameters", "parameter", "parameterSelectors", "outputParameterKey"),
        ):  # fmt: skip
            for key, raw in _dict(_dict(outputs).get(section)).items():
                s_pointer = pointer_join(pointer_join(o_pointer, section), key)
                raw = _dict(raw)
                if section == "artifacts":
                    selectors = [(pointer_join(pointer_join(s_pointer, selectors_key), i), s)
                                 for i, s in enumerate(_list(raw.get(selectors_key)))]  # fmt: skip
                elif isinstance(raw.get("valueFromParameter"), dict):
                    selectors = [(pointer_join(s_pointer, "valueFromParameter"), raw["valueFromParameter"])]
                else:
                    oneof = pointer_join(pointer_join(s_pointer, "valueFromOneof"), selectors_key)
                    listed = _list(_dict(raw.get("valueFromOneof")).get(selectors_key))
                    selectors = [(pointer_join(oneof, i), s) for i, s in enumerate(listed)]
                ids: list[str] = []
                for sel_pointer, selector in selectors:
                    selector = _dict(selector)
                    producer, output = selector.get("producerSubtask"), selector.get(key_key)
                    task = dag.tasks.get(producer) if is_name(producer) else None
                    subject = f"{dag.owner} outputs {what} {output!r} of task {producer!r}"
                    if task is None:
                        self.problem(sel_pointer, f"{subject}, which it does not define")
                    elif not is_name(output):
                        self.problem(sel_pointer, f"{subject}: {key_key} must be a name")
                    elif not task.broken and (section, output) not in task.outputs:
                        self.problem(sel_pointer, f"{subject}, which has no such output")
                    else:
                        ids.extend(task.outputs.get((section, output), []))
                out[section, key] = list(dict.fromkeys(ids))
        return out

    def pipeline_inputs(self, inputs: dict) -> dict[str, list[_Source]]:
        """Flags for the pipeline's parameters, nodes for its input artifacts."""
        bindings: dict[str, list[_Source]] = {}
        i_pointer = "/root/inputDefinitions"
        for key, raw in _dict(inputs.get("parameters")).items():
            raw = _dict(raw)
            attributes: dict[str, Any] = {}
            p_type = raw.get("parameterType") or raw.get("type")
            if is_name(p_type):
                attributes["parameter_type"] = p_type
            for name, attr in (("defaultValue", "default"), ("isOptional", "optional"),
                               ("description", "description")):  # fmt: skip
                if name in raw:
                    attributes[attr] = raw[name]
            if key in self.values:
                attributes["value"] = self.values[key]
            where = self.at(pointer_join(pointer_join(i_pointer, "parameters"), key))
            flag = NodeRecord("flag", key, self.namespace, attributes=attributes, location=where)
            bindings[key] = [_Source("flag", self.add_node(flag))]
        for key, raw in _dict(inputs.get("artifacts")).items():
            art_type = _dict(_dict(raw).get("artifactType"))
            title = art_type.get("schemaTitle")
            attributes = {"pipeline_input": True}
            if is_name(title):
                attributes["artifact_type"] = title
            where = self.at(pointer_join(pointer_join(i_pointer, "artifacts"), key))
            node = NodeRecord(_artifact_kind(title), key, self.namespace, attributes=attributes, location=where)
            bindings[key] = [_Source("data", self.add_node(node))]
        return bindings

    def wire(self, dag: _Dag, bindings: dict[str, list[_Source]], gates: list[_Gate]) -> None:
        """Edges into the tasks of ``dag``, whose inputs are bound to ``bindings``.

        ``gates`` are what the conditions around the DAG test, with where and what: a flag a
        condition tests configures every job inside it, a data node it tests is read by them.
        """
        for task in dag.tasks.values():
            inputs = self.task_inputs(dag, task, bindings)
            if task.inner is not None:
                self.wire_sub_dag(task, inputs, gates)
                continue
            assert task.job is not None
            job = task.job
            constants: dict[str, Any] = {}
            for name, pointer, sources in inputs["sources"]:
                for source in sources:
                    if source.kind == "value":
                        constants[name] = source.ref
                    else:
                        kind = "configures" if source.kind == "flag" else "reads"
                        self.add_edge(source.ref, job.id, kind, pointer, input=name)
            for source, pointer, condition in gates:
                kind = "configures" if source.kind == "flag" else "reads"
                self.add_edge(source.ref, job.id, kind, pointer, condition=condition)
            if constants:
                job.attributes["parameters"] = constants
            after = [dag.tasks[d] for d in inputs["after"] if d not in inputs["producers"]]
            if after:
                job.attributes["after"] = [t.job.name if t.job is not None else t.key for t in after]

    def task_inputs(self, dag: _Dag, task: _Task, bindings: dict[str, list[_Source]]) -> dict[str, Any]:
        """What feeds each input of a task: {"sources": [(name, pointer, sources)], "producers",
        "after"}; names it cannot resolve are reported."""
        sources: list[tuple[str, str, list[_Source]]] = []
        producers: set[str] = set()
        after: list[str] = []
        raw_inputs = _dict(task.raw.get("inputs"))
        i_pointer = pointer_join(task.pointer, "inputs")
        declared = {section: _dict(dag.inputs.get(section)) for section in ("parameters", "artifacts")}
        for section, what in (("parameters", "parameter"), ("artifacts", "artifact")):
            for name, spec in _dict(raw_inputs.get(section)).items():
                pointer = pointer_join(pointer_join(i_pointer, section), name)
                spec = _dict(spec)
                found: list[_Source] = []
                from_input = spec.get("componentInputParameter") or spec.get("componentInputArtifact")
                output = spec.get("taskOutputParameter") or spec.get("taskOutputArtifact")
                if is_name(from_input):
                    if from_input in bindings:
                        found = bindings[from_input]
                    elif from_input not in declared["parameters"] and from_input not in declared["artifacts"]:
                        self.problem(
                            pointer,
                            f"task {task.key!r} takes {what} {name!r} from input {from_input!r}, "
                            f"which {dag.owner} does not declare",
                        )
                elif isinstance(output, dict):
                    found = self.task_output(dag, task, name, pointer, output, producers)
                elif isinstance(spec.get("runtimeValue"), dict):
                    found = [_Source("value", _constant(spec["runtimeValue"]))]
                elif isinstance(spec.get("taskFinalStatus"), dict):  # an exit task: no data
                    producer = spec["taskFinalStatus"].get("producerTask")
                    if producer in dag.tasks:
                        after.append(producer)
                    else:
                        self.problem(
                            pointer,
                            f"task {task.key!r} reads the final status of task {producer!r}, "
                            f"which {dag.owner} does not define",
                        )
                sources.append((name, pointer, found))
        for index, dependency in enumerate(_list(task.raw.get("dependentTasks"))):
            if not is_name(dependency):
                self.problem(pointer_join(pointer_join(task.pointer, "dependentTasks"), index),
                             f"task {task.key!r}: dependentTasks must name tasks, not {dependency!r}")  # fmt: skip
            elif dependency not in dag.tasks:
                d_pointer = pointer_join(pointer_join(task.pointer, "dependentTasks"), index)
                self.problem(d_pointer, f"task {task.key!r} runs after task {dependency!r}, "
                             f"which {dag.owner} does not define")  # fmt: skip
            elif dependency not in after:
                after.append(dependency)
        after = [d for d in after if d in dag.tasks]
        return {"sources": sources, "producers": producers, "after": after}

    def task_output(self, dag: _Dag, task: _Task, name: str, pointer: str, output: dict,
                    producers: set[str]) -> list[_Source]:  # fmt: skip
        is_artifact = "outputArtifactKey" in output
        section, what = ("artifacts", "artifact") if is_artifact else ("parameters", "parameter")
        producer = output.get("producerTask")
        key = output.get("outputArtifactKey" if is_artifact else "outputParameterKey")
        p_pointer = pointer_join(pointer, "taskOutputArtifact" if is_artifact else "taskOutputParameter")
        producing = dag.tasks.get(producer) if is_name(producer) else None
        if not is_name(key):
            self.problem(p_pointer, f"task {task.key!r} reads {what} {key!r}: the key must be a name")
            return []
        if producing is None or not is_name(producer):
            self.problem(pointer_join(p_pointer, "producerTask"),
                         f"task {task.key!r} reads {what} {key!r} of task {producer!r}, "
                         f"which {dag.owner} does not define")  # fmt: skip
            return []
        producers.add(producer)
        if producing.broken:
            return []  # its component is missing: reported already
        if (section, key) not in producing.outputs:
            self.problem(p_pointer, f"task {task.key!r} reads {what} {key!r} of task {producer!r}, "
                         "which has no such output")  # fmt: skip
            return []
        return [_Source("data", node_id) for node_id in producing.outputs[section, key]]

    def wire_sub_dag(self, task: _Task, inputs: dict[str, Any], gates: list[_Gate]) -> None:
        assert task.inner is not None
        inner: dict[str, list[_Source]] = {name: found for name, _, found in inputs["sources"]}
        # ParallelFor: the loop item stands for what is iterated over (a literal list: nothing).
        for key, items_key in (
            ("parameterIterator", "inputParameter"),
            ("artifactIterator", "inputArtifact"),
        ):
            iterator = task.raw.get(key)
            if isinstance(iterator, dict) and is_name(iterator.get("itemInput")):
                over = _dict(iterator.get("items")).get(items_key)
                over_sources = inner.get(over, []) if is_name(over) else []
                inner[iterator["itemInput"]] = [s for s in over_sources if s.kind != "value"]
        inner_gates: list[_Gate] = list(gates)
        policy = task.raw.get("triggerPolicy")
        condition = policy.get("condition") if isinstance(policy, dict) else None
        if is_name(condition):
            c_pointer = pointer_join(pointer_join(task.pointer, "triggerPolicy"), "condition")
            for name in dict.fromkeys(_CONDITION_INPUT.findall(condition)):
                for source in inner.get(name, []):
                    if source.kind != "value":
                        inner_gates.append((source, c_pointer, condition))
        self.wire(task.inner, inner, inner_gates)


def _artifact_kind(title: Any) -> str:
    """``system.Model`` (and ``google.VertexModel`` ...) are models; every other artifact a dataset.

    >>> _artifact_kind("system.Model"), _artifact_kind("system.Metrics"), _artifact_kind(None)
    ('model', 'dataset', 'dataset')
    """
    if isinstance(title, str) and title.rsplit(".", 1)[-1].endswith("Model"):
        return "model"
    return "dataset"


def _constant(runtime_value: dict) -> Any:
    """The constant of a ``runtimeValue`` (``constant``; older IR: ``constantValue.xValue``)."""
    if "constant" in runtime_value:
        return runtime_value["constant"]
    old = runtime_value.get("constantValue")
    if isinstance(old, dict) and len(old) == 1:
        return next(iter(old.values()))
    return old


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
