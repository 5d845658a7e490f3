// Problems as GitHub Actions workflow commands (`::error file=…,line=…::message`), so a run
// annotates the lines at fault, in its summary and on a pull request's diff. Policy files are
// written by the people the policy governs: every value is escaped as GitHub documents, so a
// key or message holding a newline cannot start a workflow command of its own.
import type { PolicyProblem } from "../model/result.js";

export type Severity = "error" | "warning";

/** The message part: `%`, CR and LF escaped. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property value: as data, and `:` and `,` too, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::error file=<path>,line=<l>,col=<c>,title=<key>::<message>`; no title for a whole-file problem. */
export function workflowCommand(severity: Severity, problem: PolicyProblem): string {
  const properties = [
    `file=${escapeProperty(problem.file)}`,
    `line=${problem.line}`,
    `col=${problem.column}`,
    ...(problem.path ? [`title=${escapeProperty(problem.path)}`] : []),
  ];
  return `::${severity} ${properties.join(",")}::${escapeData(problem.message)}`;
}
