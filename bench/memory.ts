/**
 * `npx tsx bench/memory.ts [pulls] [rounds]`: the burst scenario, repeated against one app
 * process, with the heap and RSS after a full GC after each round: growth that the heap
 * shows is kept by the app; growth only RSS shows is the allocator's.
 */
import { startApp } from "./app-process.js";
import { startProxy } from "./proxy.js";
import { Runner } from "./runner.js";
import { burst } from "./scenarios/burst.js";
import { APP_ID, freshStandIn } from "./world.js";

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const pulls = Number(process.argv[2] ?? 20);
  const rounds = Number(process.argv[3] ?? 4);
  const gh = await freshStandIn();
  const proxy = await startProxy(gh);
  const world = (await burst(pulls).seed(gh)) as Awaited<
    ReturnType<ReturnType<typeof burst>["seed"]>
  > & {
    again(runner: Runner): Promise<void>;
  };
  const child = await startApp({ name: "release-policy", gheHost: proxy.gheHost, appId: APP_ID });
  try {
    const options = { answersFirst: true };
    const warm = new Runner(child, proxy, options);
    for (const webhook of world.warmups) await warm.one(webhook);
    const show = async (label: string) => {
      const r = await child.probe({ gc: true });
      console.log(
        `${label}: heap ${(r.heapUsedBytes / MB).toFixed(1)} MB, rss ${(r.rssBytes / MB).toFixed(1)} MB`,
      );
    };
    await show("before");
    for (let round = 1; round <= rounds; round++) {
      await world.again(new Runner(child, proxy, options));
      await show(`after round ${round}`);
    }
  } finally {
    await child.stop();
    await proxy.close();
    await gh.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
