"""The text of the results workbook's 「説明」 sheet: how to fill the sheet in and how
importing it works, in the words of the sheet's columns, the status labels and the entry
screen's number forms. The import screen shows the same lines."""

from __future__ import annotations

from initiatives.results import transitions
from initiatives.sheets.io import MAX_UPLOAD_LABEL
from initiatives.sheets.results_workbook.columns import (
    COL_NOTE,
    COL_STATE,
    COL_STATUS,
    COL_TEXT,
    COL_VERSION,
    COL_YEAR,
    READ_ONLY_MARK,
    SHEET_TITLE,
)
from initiatives.vocabulary import (
    ACTUAL_HEADING,
    NUMBER_HELP,
    State,
    Status,
    status_label,
    status_words,
)


def help_lines(*, fiscal_year_label: str, slots: int | None) -> list[str]:
    """The 説明 sheet's text (also shown on the import screen)."""
    return [
        *_filling_lines(fiscal_year_label=fiscal_year_label, slots=slots),
        "",
        *_importing_lines(),
    ]


def _filling_lines(*, fiscal_year_label: str, slots: int | None) -> list[str]:
    undetermined = status_label(Status.UNDETERMINED)
    locked = "・".join(str(state.label) for state in State if transitions.locked_reason(state))
    lines = [
        f"{fiscal_year_label} 実施結果の入力シート — 入力のしかたと取り込みのしかた",
        "",
        "■ 入力のしかた",
        f"・「{SHEET_TITLE}」シートの黄色いセル（{COL_STATUS}・{COL_TEXT}・{COL_NOTE}・"
        f"指標の{ACTUAL_HEADING}）だけを入力します。",
        "・灰色のセルは参照用で、変更できません（シートを保護しています。"
        "保護にパスワードはありません）。",
        "・1行が1つの取組です。行の追加・削除・並べ替え、1行目の見出しの変更はしないでください。",
        f"・{COL_STATUS}：セルを選ぶと出る ▼ から「{status_words('」「')}」を選びます。",
        f"・{COL_TEXT}：実施したことと、その結果を書きます。セル内の改行は Alt+Enter"
        "（LibreOffice は Ctrl+Enter、Mac の Excel は Option+Return）です。",
        f"・{COL_NOTE}：「{undetermined}」のときは必ず、いつ確定するかを書きます"
        "（例: 令和7年9月の決算で確定）。",
        f"・{COL_STATUS}と{COL_TEXT}はセットで入力します。どちらか片方だけの行は取り込めません。",
        f"・{ACTUAL_HEADING}：{NUMBER_HELP}「約120」のような文字は読み取れません。",
    ]
    if slots is None or slots:
        most = f"（最大 {slots} 個）" if slots else ""
        lines.append(
            f"・指標が複数ある取組は「指標1」「指標2」…の列に並びます{most}。"
            "指標のない取組・使わない指標の列は空のままにします。目標値は参照用です。"
        )
    lines += [
        f"・{COL_STATE}に「{READ_ONLY_MARK}」とある行（{locked}、"
        "または入力期間外）は参照用です。変更しても取り込めません。",
        f"・「{COL_YEAR}」と「{COL_VERSION}」は取り込みに使います。変えないでください。"
        f"「{COL_VERSION}」は書き出した時点の番号で、書き出した後に他の人が同じ取組をシステムで"
        "更新していた場合、その行は上書きを防ぐため取り込みません。",
    ]
    return lines


def _importing_lines() -> list[str]:
    return [
        "■ 取り込みのしかた",
        "・Excel ブック（.xlsx）のまま保存するのがおすすめです。CSV（UTF-8 または "
        f"Shift_JIS）でも取り込めます。ファイルの大きさは {MAX_UPLOAD_LABEL} までです。",
        "・管理画面の「実施結果」一覧で「ファイルから取り込む」を押し、ファイルを選んで"
        "「内容を確認する」を押します。",
        "・確認画面に、行ごとの変更（変更前 → 変更後）と問題が表示されます。この時点では"
        "まだ何も変わっていません。",
        "・問題のある行が1行でもあると取り込めません（全部の行を取り込むか、"
        "何も取り込まないかのどちらかです）。ファイルを直してから、もう一度選んでください。",
        "・「取り込む」を押すと一時保存されます（提出はされません）。"
        "内容を確かめてから、入力画面の「提出する」で提出してください。",
        "・取り込んだ変更は、取り込んだ人・日時とともに「ファイルから取り込み: ファイル名」"
        "として各取組の履歴に残ります。",
    ]
