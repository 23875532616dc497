// Replays rating sequences through ts-fsrs: stdin is
// [{"start": ms, "reviews": [{"rating": 1-4, "at": ms}, ...]}, ...], stdout the
// card after each review: [[{"state", "stability", "difficulty", "due", "scheduled_days"}, ...], ...].
const { fsrs, generatorParameters, createEmptyCard } = require("./ts-fsrs.cjs");

const scheduler = fsrs(generatorParameters({ enable_fuzz: false, enable_short_term: true }));
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((seq) => {
    let card = createEmptyCard(new Date(seq.start));
    return seq.reviews.map((r) => {
      card = scheduler.next(card, new Date(r.at), r.rating).card;
      return { state: card.state, stability: card.stability, difficulty: card.difficulty,
        due: card.due.getTime(), scheduled_days: card.scheduled_days };
    });
  });
  process.stdout.write(JSON.stringify(out));
});
