import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { png } from "./images.js";
import { person } from "./people.js";
import { startServer } from "./server.js";

let server;
let photos;
before(async () => {
  server = await startServer();
  photos = await mkdtemp(join(tmpdir(), "groupql-weapp-photos-"));
});
after(async () => {
  await server.stop();
  await rm(photos, { recursive: true, force: true });
});

const ALBUM = `query Album($groupId: ID!) {
  group(id: $groupId) { album(first: 10) { edges { node { item { text } media { id mime width height url } } } } }
}
`;

test("a photo chosen on the phone goes up and shows in the group's album", async () => {
  const alice = person(server, "alice-upload");
  const { group } = await alice.joinChat("G-photos");
  const photo = join(photos, "tmp_sunset.png");
  await writeFile(photo, png(64, 48, [250, 120, 30]));

  const media = await alice.client.upload(group.id, photo, "IMAGE");

  assert.deepEqual([media.mime, media.width, media.height], ["image/png", 64, 48]);
  const [sent] = alice.phone.uploads;
  assert.equal(sent.name, "file"); // the ticket's fileField, as a multipart part
  assert.ok(sent.header["X-Upload-Token"], "the ticket's headers went with the file");
  const { postItem } = await alice.client.request(
    `mutation Post($input: PostItemInput!) { postItem(input: $input) { seq } }`,
    { input: { groupId: group.id, type: "IMAGE", text: "sunset", mediaIds: [media.id] } },
  );
  assert.equal(postItem.seq, 1);
  const { group: seen } = await alice.client.request(ALBUM, { groupId: group.id });
  const [entry] = seen.album.edges.map((e) => e.node);
  const shown = entry.media;
  assert.equal(entry.item.text, "sunset");
  assert.equal(shown.id, media.id);
  const image = await fetch(new URL(shown.url, server.url));
  assert.equal(image.status, 200);
  assert.match(image.headers.get("content-type"), /^image\//);
  alice.leave();
});

test("a file that is not an image is refused as UNSUPPORTED_MEDIA", async () => {
  const alice = person(server, "alice-not-a-photo");
  const { group } = await alice.joinChat("G-photos-refused");
  const fake = join(photos, "tmp_fake.png");
  await writeFile(fake, "this is not a picture");

  await assert.rejects(alice.client.upload(group.id, fake, "IMAGE"), { code: "UNSUPPORTED_MEDIA" });
  alice.leave();
});
