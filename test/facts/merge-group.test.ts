// Which pull requests a merge group brings, read from the queue branches' names.
import { pullsOfGroup, queueEntryOf } from "../../src/facts/merge-group.js";

const sha = (n: number) => n.toString(16).padStart(40, "0");
const branch = (base: string, pr: number, stackedOn: string) =>
  `refs/heads/gh-readonly-queue/${base}/pr-${pr}-${stackedOn}`;

describe("queueEntryOf", () => {
  test.each([
    [branch("main", 104, sha(1)), "main", { number: 104, stackedOn: sha(1) }],
    // A base branch with slashes in its name.
    [branch("release/1.x", 7, sha(2)), "release/1.x", { number: 7, stackedOn: sha(2) }],
    [`gh-readonly-queue/main/pr-5-${sha(3)}`, "main", { number: 5, stackedOn: sha(3) }],
  ])("%s of %s reads as %j", (ref, base, entry) => {
    expect(queueEntryOf(ref, base)).toEqual(entry);
  });

  test.each([
    [branch("main", 104, sha(1)), "release"],
    [branch("release/1.x", 104, sha(1)), "1.x"],
    ["refs/heads/main", "main"],
    [`refs/heads/gh-readonly-queue/main/pr-0-${sha(1)}`, "main"],
    [`refs/heads/gh-readonly-queue/main/pr-12-abc123`, "main"],
    [`refs/heads/feature/gh-readonly-queue/main/pr-12-${sha(1)}`, "main"],
  ])("%s is no queue branch of %s", (ref, base) => {
    expect(queueEntryOf(ref, base)).toBeUndefined();
  });
});

describe("pullsOfGroup", () => {
  // The queue: #101 on main's tip (sha 100), #102 on #101's head (sha 1), #103 on #102's (sha 2).
  const queue = new Map([
    [sha(1), branch("main", 101, sha(100))],
    [sha(2), branch("main", 102, sha(1))],
    [sha(3), branch("main", 103, sha(2))],
  ]);

  test("the group's own pull request, then each one ahead of it down to the base branch", () => {
    expect(pullsOfGroup(branch("main", 103, sha(2)), "main", queue)).toEqual([103, 102, 101]);
    expect(pullsOfGroup(branch("main", 102, sha(1)), "main", queue)).toEqual([102, 101]);
    expect(pullsOfGroup(branch("main", 101, sha(100)), "main", queue)).toEqual([101]);
  });

  test("a stack that names itself again ends there", () => {
    const loop = new Map([
      [sha(1), branch("main", 101, sha(2))],
      [sha(2), branch("main", 102, sha(1))],
    ]);
    expect(pullsOfGroup(branch("main", 102, sha(1)), "main", loop)).toEqual([102, 101]);
  });

  test("a head branch that is no queue branch of the base names none", () => {
    expect(pullsOfGroup("refs/heads/main", "main", queue)).toEqual([]);
    expect(pullsOfGroup(branch("main", 103, sha(2)), "develop", queue)).toEqual([]);
  });
});
