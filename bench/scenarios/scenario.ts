/** What a scenario hands the bench: how to seed GitHub, what to replay, what must hold after. */
import type { StandIn } from "../../test/stand-in/server.js";
import type { Runner, SentEvent, Tagged } from "../runner.js";

export interface World {
  /** Sent before measuring, one installation each: tokens and first runs out of the window. */
  warmups: Tagged[];
  play(runner: Runner): Promise<void>;
  /** What must hold on GitHub afterwards; each string is a problem. */
  expect(): string[];
  /** Figures a scenario measures besides the common ones, by name, once it has played. */
  figures?: () => Record<string, number>;
}

export interface Minimum {
  reads: number;
  writes: number;
  how: string;
}

export interface Scenario {
  name: string;
  seed(gh: StandIn): Promise<World>;
  /** The least a correct app needs for these events, given how many visible changes there were. */
  minimum(events: SentEvent[], visibleWrites: number): Minimum;
}
