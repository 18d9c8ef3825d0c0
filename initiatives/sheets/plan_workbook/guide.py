"""The plan workbook's 「説明」 sheet: how HQ fills in the workbook and what importing it
does. The column names and the number forms are the ones the sheets and the import use."""

from __future__ import annotations

from initiatives.sheets.io import MAX_UPLOAD_LABEL
from initiatives.sheets.plan_workbook.columns import (
    ADDED_IN,
    BENCHMARK,
    CODE,
    COMPARISON,
    DEPARTMENT_SHEET,
    DEPARTMENTS,
    DIRECTION,
    DIRECTION_SHEET,
    GUIDE_SHEET,
    INDICATOR_NAME,
    INDICATOR_SHEET,
    INITIATIVE_SHEET,
    MARK,
    NAME,
    NAME_REFERENCE,
    NUMERIC_TARGET,
    PLAN_PREFIX,
    RELATED_PLANS,
    RESOURCES,
    TARGET_PREFIX,
)
from initiatives.vocabulary import NUMBER_HELP, Comparison

_RESOURCE_NAMES = "、".join(label for _field, label in RESOURCES)
_COMPARISONS = "・".join(str(label) for _value, label in Comparison.choices)
_BENCHMARK = str(Comparison.BENCHMARK.label)

GUIDE = [
    "金沢市行政経営プラン　プランの構成（取組・指標・実施計画）の一覧",
    "",
    "このブックの使い方",
    "・推進本部が改訂（例: 令和7年4月改訂）を準備するときに使います。書き出したブックを"
    "編集し、管理画面の「取組」→「Excelから取り込む（改訂）」で読み込みます。",
    "・読み込むと、まず変更の一覧（プレビュー）が表示されます。取組ごとに、変わる項目の"
    "「変更前 → 変更後」、新しく追加される取組（新規）、問題のある行とその理由が出ます。"
    "この時点ではまだ何も変わりません。",
    "・「この内容で取り込む」を押すと、すべての行をまとめて反映します。1行でも問題が"
    "あるときは何も反映しません（直してから読み込み直してください）。",
    "・取り込みは改訂として記録されます（取り込み画面で改訂の表示名と年月を入れます）。"
    "誰が、いつ、どのファイルから取り込んだかは、改訂と各取組の「履歴」に残ります。",
    "",
    "シート",
    f"・「{INITIATIVE_SHEET}」: 1行が1つの取組です。「{CODE}」で取組を見分けます。",
    f"・「{INDICATOR_SHEET}」: 1行が1つの指標（数値目標）です。「{CODE}」と「{INDICATOR_NAME}」"
    "で指標を見分けます。",
    f"・「{DIRECTION_SHEET}」「{DEPARTMENT_SHEET}」: 取組シートに書ける値の一覧です"
    "（読み込みません）。",
    f"・「{GUIDE_SHEET}」: このシートです（読み込みません）。",
    "・シートの名前と1行目の見出しは変えないでください。列を増やしたり消したりしないで"
    "ください。行の並べ替えはかまいません。",
    "",
    "取組シートの書き方",
    f"・{CODE}: 既にある番号なら、その取組を書き換えます。新しい番号（例: R7-1）なら"
    "新しい取組を追加します（【改訂コード新規】として、取り込み時に指定した改訂に"
    "ひも付きます）。半角英数字とハイフンで書きます。同じ番号を2行に書くことはできません。",
    f"・{NAME}、{DIRECTION}、{DEPARTMENTS}は必ず入力します。",
    f"・{DIRECTION}: 「{DIRECTION_SHEET}」シートの値（例: 1-1-1 デジタル技術を活用した"
    "働く環境の充実）をそのまま選びます。先頭のコード（方針-施策-方向性）だけでも"
    "読み込めます。",
    f"・{DEPARTMENTS}: 「{DEPARTMENT_SHEET}」シートの名前を「、」で区切って書きます"
    "（書いた順に表示されます）。新しい担当課は、先に管理画面の「担当課」で登録してください"
    "（このブックからは作れません）。",
    f"・{NUMERIC_TARGET}、{_RESOURCE_NAMES}: 該当するときは「{MARK}」、しないときは空欄です。",
    f"・{RELATED_PLANS}: 1つのセルに、1行に1つずつ書きます（セル内の改行は Alt+Enter）。",
    f"・{PLAN_PREFIX}（年度ごとの列）: その年度の実施計画です。空欄の年度は、その取組が"
    "まだプランにない年度です（【R6新規】の令和5年度など）。既にある実施計画を空欄に"
    "することはできません。推進期間の外の年度の列は作れません。",
    f"・{ADDED_IN}: 参考です。書き換えても読み込みません。",
    "・新しい取組は、同じ取組の方向性の中で、シートで直前にある取組の次に並びます。"
    "既にある取組の並び順は変わりません。",
    "",
    "指標シートの書き方",
    f"・{CODE}は、取組シートかプランにある番号です。{NAME_REFERENCE}は参考です（読み込みません）。",
    f"・{COMPARISON}: {_COMPARISONS} のいずれかです。"
    f"「{_BENCHMARK}」のときは{BENCHMARK}（例: 中核市平均以下）を書きます。",
    f"・{TARGET_PREFIX}（年度ごとの列）: {NUMBER_HELP}"
    "目標値がない年度は空欄です。実施計画のない年度には書けません。",
    "・指標名を変えると、新しい指標として追加されます（名前の変更や指標の削除は管理画面で"
    "行います）。",
    "",
    "できないこと",
    "・取組・指標・実施計画の削除: シートにない取組や指標は、変更せずにそのまま残します。",
    "・実施結果（達成状況・実績値など）の変更: このブックには含まれず、取り込んでも変わりません。",
    "・【再掲】の設定、方針・施策・取組の方向性そのものの変更: 管理画面で行います。",
    "",
    "ファイルの形式",
    "・Excel ブック（.xlsx）で保存して読み込みます。CSV（UTF-8 または Shift_JIS）も"
    "読めますが、CSV に入るのは取組シートだけです（指標は変わりません）。",
    f"・ファイルの大きさは {MAX_UPLOAD_LABEL} までです。",
    "・「=」「+」「-」「@」で始まる文字は、式として動かないよう先頭に「'」を付けて"
    "書き出しています。読み込むときに、その「'」は取り除かれます。",
]
