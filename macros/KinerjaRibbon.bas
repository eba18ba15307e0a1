Attribute VB_Name = "KinerjaRibbon"
Option Explicit
'
' The ribbon tab "Kinerja" (customUI14.xml) calls these; the same commands are macros for
' Alt+F8 or the Quick Access Toolbar when the ribbon XML has not been added to the add-in.

Public Sub KinerjaPeriksa()
    CheckActiveWorkbook
End Sub

Public Sub KinerjaKirim()
    SendActiveWorkbook
End Sub

Public Sub KinerjaAturFolder()
    ChooseSharedFolder
End Sub

Public Sub KinerjaPilihLangkah()
    ChooseStep
End Sub

Public Sub KinerjaBantuan()
    ShowHelp
End Sub

Public Sub OnRibbonButton(control As IRibbonControl)
    Select Case control.ID
        Case "kinerjaPeriksa"
            CheckActiveWorkbook
        Case "kinerjaKirim"
            SendActiveWorkbook
        Case "kinerjaPilihLangkah"
            ChooseStep
        Case "kinerjaAturFolder"
            ChooseSharedFolder
        Case "kinerjaBantuan"
            ShowHelp
    End Select
End Sub
